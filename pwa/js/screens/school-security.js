// @ts-check
/** The admin's "School security" screen (#/school-security): second factor requirement, roster. */

import { ApiError, NetworkError } from '../api.js';
import { fetchRequirement, saveRequirement, syncRoster } from '../second-factor.js';
import { rosterSection } from '../views/roster.js';
import { renderSchoolSecurity } from '../views/school-security.js';

const SAVED = /** @type {Record<string, string>} */ ({
  nobody: 'No one has to use a second factor now.',
  leads: 'Leads and admins must now use a second factor.',
  everyone: 'Everyone must now use a second factor.',
});

/**
 * The roster's actions: a preview always comes first; applying sends the same file again.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../views/roster.js').RosterData} roster
 * @param {() => Promise<void>} refresh
 * @returns {import('../views/roster.js').RosterActions}
 */
function rosterActions(ctx, roster, refresh) {
  const run = async (/** @type {boolean} */ apply) => {
    if (!roster.file) return;
    try {
      roster.plan = await syncRoster(roster.file, apply);
      roster.applied = apply;
      roster.errors = [];
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof NetworkError)) throw error;
      roster.plan = null;
      roster.errors = error instanceof ApiError && error.details && Array.isArray(error.details.errors) ? error.details.errors : [error.message];
    }
    await refresh();
  };
  return {
    onFile: (file) => { roster.file = file; roster.plan = null; roster.applied = false; roster.errors = []; refresh(); },
    onPreview: () => run(false),
    onApply: () => {
      if (window.confirm('Apply these changes to the school’s staff? Leavers are signed out at once.')) run(true);
    },
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function schoolSecurityScreen(ctx) {
  if (ctx.session.user.role !== 'admin') return ctx.missing('Only a school admin may change how the school signs in.');
  /** @type {import('../second-factor.js').Requirement | null} */
  let requirement = null;
  const onRequire = async (/** @type {string} */ value) => {
    try {
      requirement = await saveRequirement(value);
      ctx.toast(SAVED[value] || 'Saved.');
    } catch (error) {
      if (error instanceof ApiError || error instanceof NetworkError) ctx.toast(error.message, { tone: 'error' });
      else throw error;
    }
    await screen.refresh();
  };
  /** @type {import('../views/roster.js').RosterData} */
  const roster = { online: ctx.online, file: null, plan: null, applied: false, errors: [] };
  const onRoster = rosterActions(ctx, roster, () => screen.refresh());
  const draw = () => renderSchoolSecurity({ online: ctx.online, requirement }, { onRequire }, rosterSection(roster, onRoster));
  const screen = {
    title: 'School security', tab: 'settings', back: '#/settings', node: draw(),
    async refresh() {
      const next = draw();
      screen.node.replaceWith(next);
      screen.node = next;
    },
  };
  if (ctx.online) {
    fetchRequirement().then((answer) => { requirement = answer; return screen.refresh(); }).catch(() => undefined);
  }
  return screen;
}
