// @ts-check
/** The admin's "School sign-in" screen (#/school-sign-in): second factor requirement, roster. */

import { ApiError, NetworkError } from '../api.js';
import { fetchRequirement, saveRequirement } from '../second-factor.js';
import { renderSchoolSignIn } from '../views/school-sign-in.js';

const SAVED = /** @type {Record<string, string>} */ ({
  nobody: 'No one has to use a second factor now.',
  leads: 'Leads and admins must now use a second factor.',
  everyone: 'Everyone must now use a second factor.',
});

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function schoolSignInScreen(ctx) {
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
  const draw = () => renderSchoolSignIn({ online: ctx.online, requirement }, { onRequire }, null);
  const screen = {
    title: 'School sign-in', tab: 'settings', back: '#/settings', node: draw(),
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
