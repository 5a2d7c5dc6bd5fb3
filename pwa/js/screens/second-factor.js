// @ts-check
/**
 * Settings' "Second factor" section, alive across the Settings screen's redraws: the same node
 * (and its state) is put back each time, so the recovery codes shown once are not lost to a
 * redraw.
 */

import { ApiError, NetworkError } from '../api.js';
import { replace } from '../dom.js';
import { confirmEnrolment, fetchMfaStatus, startEnrolment, turnOffSecondFactor } from '../second-factor.js';
import { secondFactorSection } from '../views/second-factor.js';

/**
 * @typedef {{userId: string, node: HTMLElement, data: import('../views/second-factor.js').FactorData,
 *   drawn: string}} Kept
 * @type {Kept | null}
 */
let kept = null;

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {Kept} k
 */
function draw(ctx, k) {
  k.data.online = ctx.online;
  // Settings redraws whenever the sync moves; a section that shows the same thing is left
  // alone, so a code being typed keeps its box and its focus (what was typed also survives a
  // real redraw: the data holds it).
  const shown = JSON.stringify({ ...k.data, typed: null });
  if (shown === k.drawn) return;
  k.drawn = shown;
  replace(k.node, secondFactorSection(k.data, actions(ctx, k)));
}

/**
 * Run a server call; its error (ours are meant for people) becomes a toast.
 * @param {import('../app.js').Ctx} ctx
 * @param {() => Promise<void>} work
 */
async function attempt(ctx, work) {
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError || error instanceof NetworkError) ctx.toast(error.message, { tone: 'error' });
    else throw error;
  }
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {Kept} k
 * @returns {import('../views/second-factor.js').FactorActions}
 */
function actions(ctx, k) {
  const redraw = () => draw(ctx, k);
  return {
    onStart: () => attempt(ctx, async () => { k.data.enrolment = await startEnrolment(); k.data.state = 'enrolling'; redraw(); }),
    onCancel: () => { k.data.state = 'off'; k.data.enrolment = null; k.data.typed.on = ''; redraw(); },
    onType: (which, text) => { k.data.typed[which] = text; },
    onConfirm: (otp) => attempt(ctx, async () => {
      k.data.codes = await confirmEnrolment(otp);
      k.data.codesLeft = k.data.codes.length;
      k.data.enrolment = null;
      k.data.typed.on = '';
      k.data.state = 'codes';
      redraw();
    }),
    onCodesSaved: () => { k.data.codes = []; k.data.state = 'on'; redraw(); },
    onTurnOff: (otp) => attempt(ctx, async () => {
      await turnOffSecondFactor(otp);
      k.data.state = 'off';
      k.data.typed.off = '';
      redraw();
      ctx.toast('Your second factor is off.');
    }),
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {Kept} k
 */
async function load(ctx, k) {
  if (!ctx.online || ctx.session.ended) return;
  try {
    const status = await fetchMfaStatus();
    if (k.data.state === 'unknown' || k.data.state === 'on' || k.data.state === 'off') {
      k.data.state = status.enabled ? 'on' : 'off';
    }
    k.data.required = status.required;
    k.data.codesLeft = status.recovery_codes_left;
    draw(ctx, k);
  } catch {
    // offline after all: the section says so
  }
}

/**
 * The section's node for Settings (the same one while the same person is signed in).
 * @param {import('../app.js').Ctx} ctx
 */
export function secondFactor(ctx) {
  const user = ctx.session.user;
  if (!kept || kept.userId !== user.id) {
    kept = {
      userId: user.id,
      node: document.createElement('div'),
      data: { state: 'unknown', required: false, online: ctx.online, isAdmin: user.role === 'admin', enrolment: null, codes: [], codesLeft: 0, typed: { on: '', off: '' } },
      drawn: '',
    };
  }
  const k = kept;
  draw(ctx, k);
  load(ctx, k);
  return k.node;
}
