// @ts-check
/** The person's rights: the data behind "Who has seen this", "Your data" and the erase screen. */

import { ApiError, NetworkError } from '../api.js';
import { describeEvent, downloadMyData, erasePerson, fetchMyAudit, fetchStaff } from '../rights.js';
import { myDataSection, renderErase, seenSection } from '../views/rights.js';

/**
 * The events about my records (or one of them) as the views show them.
 * @param {import('../app.js').Ctx} ctx
 * @param {string | undefined} record
 * @returns {Promise<import('../views/rights.js').SeenData>}
 */
async function seen(ctx, record) {
  if (!ctx.online) return { state: 'offline', items: [] };
  const me = ctx.session.user.id;
  try {
    const events = await fetchMyAudit({ record, limit: 20 });
    // What I did myself is in my export; here: what others did with my records.
    const others = events.filter((e) => e.actor.id !== me);
    return { state: 'ready', items: others.map((e) => ({ text: describeEvent(e, me), when: e.at, device: e.device.name })) };
  } catch (error) {
    if (error instanceof ApiError || error instanceof NetworkError) return { state: 'failed', items: [] };
    throw error;
  }
}

/**
 * "Who has seen this", for the review screen of one observation.
 * @param {import('../app.js').Ctx} ctx
 * @param {string} observationId
 */
export function whoHasSeenThis(ctx, observationId) {
  return seenSection('Who has seen this', 'No one outside the people taking part has opened or downloaded it.', () => seen(ctx, observationId));
}

/**
 * "Who has seen my records", for My learning.
 * @param {import('../app.js').Ctx} ctx
 */
export function whoHasSeenMine(ctx) {
  return seenSection('Who has seen my records', 'No one else has opened or downloaded your records yet.', () => seen(ctx, undefined));
}

/**
 * Settings' "Your data" section.
 * @param {import('../app.js').Ctx} ctx
 * @param {boolean} online
 */
export function myData(ctx, online) {
  return myDataSection({ online, isAdmin: ctx.session.user.role === 'admin' }, {
    onDownloadData: async () => { ctx.toast(await downloadMyData((message) => ctx.toast(message))); },
  });
}

/**
 * The admin's erase screen.
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function eraseScreen(ctx) {
  if (ctx.session.user.role !== 'admin') return ctx.missing('Only a school admin may erase a person’s data.');
  /** @type {string | null} */
  let result = null;
  const kept = { person: '', confirm: '' };
  const draw = async () => {
    const staff = ctx.online ? await fetchStaff().catch(() => []) : [];
    const people = staff.filter((s) => s.id !== ctx.session.user.id && !s.email.endsWith('@erased.invalid'))
      .map((s) => ({ id: s.id, name: s.display_name, email: s.email }));
    return renderErase({ staff: people, online: ctx.online, result }, { onErase }, kept);
  };
  const onErase = async (/** @type {string} */ id, /** @type {string} */ typed) => {
    if (!id) { ctx.toast('Choose the person first.', { tone: 'error' }); return; }
    try {
      const answer = await erasePerson(id, typed);
      const counts = Object.entries(answer.erased).filter(([, n]) => n).map(([what, n]) => `${n} ${what.replaceAll('_', ' ')}`);
      result = `Erased. ${counts.length ? counts.join(', ') : 'Nothing else was held.'}`;
      kept.person = '';
      kept.confirm = '';
      await screen.refresh();
    } catch (error) {
      if (error instanceof ApiError || error instanceof NetworkError) ctx.toast(error.message, { tone: 'error' });
      else throw error;
    }
  };
  const screen = {
    title: 'Erase a person', tab: 'settings', back: '#/settings', node: await draw(),
    async refresh() {
      const next = await draw();
      screen.node.replaceWith(next);
      screen.node = next;
    },
  };
  return screen;
}
