// @ts-check
/** The My learning screen: my focuses, my next steps, observations given and received. */

import { submitted } from '../drafts.js';
import { direction, isoDay, newId } from '../model.js';
import { putRecord } from '../outbox.js';
import { downloadReport } from '../reports.js';
import { renderMyLearning } from '../views/my-learning.js';
import { byDue, live, myObservations, nameMap, readAll, redrawnScreen, stepItem, summary } from './common.js';
import { whoHasSeenMine } from './rights.js';

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {{step?: string, focus?: string}} picked a next step or focus to point out (from a reminder)
 */
async function load(ctx, picked) {
  const me = ctx.session.user.id;
  const all = await readAll();
  const names = nameMap(all.user);
  const mine = myObservations(all.observation, me).sort((a, b) => (a.starts_at < b.starts_at ? 1 : -1));
  const used = new Set(mine.flatMap((o) => o.focus_ids || []));
  const focuses = live(all.focus).filter((f) => f.id === picked.focus || (f.active !== false && ((f.kind === 'personal' && f.owner_id === me) || (f.kind === 'school' && used.has(f.id)))))
    .sort((a, b) => (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'personal' ? -1 : 1));
  const titles = new Map(mine.map((o) => [o.id, o.title]));
  const today = isoDay(new Date());
  const steps = byDue(live(all.next_step).filter((s) => s.owner_id === me));
  const item = (/** @type {Record<string, any>} */ o) => {
    const s = summary(o, me, names);
    return { id: s.id, title: s.title, when: s.when, kind: s.kind, people: s.people, href: `#/review/${o.id}` };
  };
  return {
    focuses: focuses.map((f) => ({ id: f.id, title: f.title, description: f.description || '', kind: f.kind })),
    open: steps.filter((s) => s.status !== 'done').map((s) => stepItem(s, titles, today)),
    done: steps.filter((s) => s.status === 'done').map((s) => stepItem(s, titles, today)),
    given: mine.filter((o) => direction(o, me) === 'given').map(item),
    received: mine.filter((o) => direction(o, me) === 'received').map(item),
    online: ctx.online,
    picked: picked.step || picked.focus || null,
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {{step?: string, focus?: string}} [params] `step` or `focus`: the one a reminder was about
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function myLearningScreen(ctx, params = {}) {
  const picked = { step: params.step, focus: params.focus };
  const me = ctx.session.user.id;
  const actions = {
    onCreateFocus: async (/** @type {string} */ title, /** @type {string} */ description) => {
      await putRecord('focus', newId(), { title, description, kind: 'personal', owner_id: me, active: true });
      await submitted(['learning/new-focus/title', 'learning/new-focus/description']);
      ctx.toast('Focus added. Choose it when you plan an observation.');
      await screen.refresh();
    },
    onStepDone: async (/** @type {string} */ id, /** @type {boolean} */ done) => {
      await putRecord('next_step', id, { status: done ? 'done' : 'open' });
      await screen.refresh();
    },
    onDownload: async () => ctx.toast(await downloadReport(`/reports/teachers/${me}.pdf`)),
  };
  const draw = async () => renderMyLearning(await load(ctx, picked), actions);
  const screen = await redrawnScreen('My learning', 'learning', async () => {
    const node = await draw();
    node.append(whoHasSeenMine(ctx)); // the audit trail (screens/rights.js)
    return node;
  });
  if (picked.step || picked.focus) {
    screen.focus = () => {
      const item = screen.node.querySelector('.picked');
      if (item instanceof HTMLElement) {
        item.scrollIntoView({ block: 'center' });
        item.focus({ preventScroll: true });
      }
    };
  }
  return screen;
}
