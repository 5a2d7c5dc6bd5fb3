// @ts-check
/** The Today screen's data and actions. */

import { draftsUnder } from '../drafts.js';
import { isoDay, stage } from '../model.js';
import { putRecord } from '../outbox.js';
import { renderToday } from '../views/today.js';
import { h, icon } from '../dom.js';
import { byDue, live, myObservations, nameMap, readAll, redrawnScreen, stepItem, summary } from './common.js';

/** @param {number} hour */
function greeting(hour) {
  return hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function load(ctx) {
  const me = ctx.session.user.id;
  const all = await readAll();
  const names = nameMap(all.user);
  const mine = myObservations(all.observation, me);
  const now = Date.now();
  /** @type {{in_progress: any[], upcoming: any[], to_review: any[]}} */
  const groups = { in_progress: [], upcoming: [], to_review: [] };
  for (const obs of mine.sort((a, b) => (a.starts_at < b.starts_at ? -1 : 1))) {
    const where = stage(obs, now);
    if (where !== 'done') groups[where].push(summary(obs, me, names));
  }
  groups.in_progress.reverse();
  groups.to_review.reverse();
  const titles = new Map(mine.map((o) => [o.id, o.title]));
  const today = isoDay(new Date());
  const steps = byDue(live(all.next_step).filter((s) => s.owner_id === me && s.status !== 'done')).map((s) => stepItem(s, titles, today));
  return {
    firstName: (ctx.session.user.display_name || '').split(' ')[0] || 'there',
    greeting: greeting(new Date().getHours()),
    groups,
    steps,
    drafts: draftsUnder('capture/').map((key) => key.slice('capture/'.length)).filter((id) => titles.has(id))
      .map((id) => ({ observationId: id, title: titles.get(id) || 'an observation' })),
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function todayScreen(ctx) {
  const actions = {
    onStepDone: async (/** @type {string} */ id, /** @type {boolean} */ done) => {
      await putRecord('next_step', id, { status: done ? 'done' : 'open' });
      ctx.toast(done ? 'Next step marked done.' : 'Next step opened again.');
    },
  };
  const screen = await redrawnScreen('Today', 'today', async () => renderToday(await load(ctx), actions));
  // Search, offline (issue 12): from the app bar.
  screen.action = h('a', { class: 'icon-button search-link', href: '#/search', 'aria-label': 'Search your notes' }, icon('search'));
  return screen;
}
