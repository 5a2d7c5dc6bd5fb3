// @ts-check
/** What several screens need: the directory of names, observation summaries, next steps. */

import { readEntities } from '../db.js';
import { KINDS, current, formatWhen, roleOf, stage } from '../model.js';

/** @typedef {import('../db.js').StoredRecord} StoredRecord */

/**
 * Display names by user id.
 * @param {StoredRecord[]} users
 */
export function nameMap(users) {
  return new Map(users.map((u) => [u.id, String(u.fields.display_name || 'Someone')]));
}

/**
 * @param {StoredRecord[]} records
 * @returns {Record<string, any>[]}
 */
export function live(records) {
  return records.map(current).filter((r) => !r.deleted);
}

/**
 * "Watching Ben Okafor", "Watched by Ana Silva", "Teaching with Ana Silva".
 * @param {Record<string, any>} obs
 * @param {string} me
 * @param {Map<string, string>} names
 */
export function peopleLine(obs, me, names) {
  const others = (obs.participants || []).filter((/** @type {any} */ p) => p.user_id !== me);
  const list = (/** @type {any[]} */ people) => {
    const named = people.map((p) => names.get(p.user_id) || 'a colleague');
    return named.length <= 2 ? named.join(' and ') : `${named.slice(0, 2).join(', ')} and ${named.length - 2} more`;
  };
  if (!others.length) return obs.kind === 'learning_walk' ? 'Your learning walk' : '';
  const role = roleOf(obs, me);
  if (role === 'observee') return `${obs.kind === 'coaching' ? 'Coached' : 'Watched'} by ${list(others)}`;
  if (role === 'co_teacher') return `Teaching with ${list(others)}`;
  const watched = others.filter((/** @type {any} */ p) => p.role === 'observee');
  if (obs.kind === 'coaching') return `Coaching ${list(watched.length ? watched : others)}`;
  return watched.length ? `Watching ${list(watched)}` : `With ${list(others)}`;
}

/**
 * Observations this person takes part in or created.
 * @param {StoredRecord[]} records
 * @param {string} me
 */
export function myObservations(records, me) {
  return records
    .filter((r) => r.created_by === me || (current(r).participants || []).some((/** @type {any} */ p) => p.user_id === me))
    .map(current)
    .filter((o) => !o.deleted);
}

/**
 * A summary line item for lists.
 * @param {Record<string, any>} obs
 * @param {string} me
 * @param {Map<string, string>} names
 */
export function summary(obs, me, names) {
  const where = stage(obs, Date.now());
  const capturing = where === 'upcoming' || where === 'in_progress';
  return {
    id: obs.id,
    title: obs.title,
    kind: KINDS[/** @type {keyof typeof KINDS} */ (obs.kind)] || 'Observation',
    when: formatWhen(obs.starts_at),
    people: peopleLine(obs, me, names),
    href: capturing ? `#/capture/${obs.id}` : `#/review/${obs.id}`,
    action: where === 'upcoming' ? 'Open' : capturing ? 'Capture notes' : 'Review',
    status: obs.status,
  };
}

/**
 * A next step for lists.
 * @param {Record<string, any>} step
 * @param {Map<string, string>} titles observation titles by id
 * @param {string} today YYYY-MM-DD
 */
export function stepItem(step, titles, today) {
  return {
    id: step.id,
    text: step.text,
    due: step.due_on || null,
    overdue: Boolean(step.due_on && step.due_on < today && step.status !== 'done'),
    context: step.observation_id ? titles.get(step.observation_id) || '' : '',
  };
}

/**
 * Steps sorted by due date (undated last).
 * @param {Record<string, any>[]} steps
 */
export function byDue(steps) {
  return steps.sort((a, b) => (a.due_on || '9999') < (b.due_on || '9999') ? -1 : (a.due_on || '9999') > (b.due_on || '9999') ? 1 : 0);
}

/** Everything the list screens read, in one transaction. */
export function readAll() {
  return readEntities(['observation', 'next_step', 'user', 'focus', 'lookfor']);
}

/**
 * A screen drawn from what is on the device, and drawn afresh on `refresh` (after a sync or
 * an action): the new drawing replaces the old one in the page.
 * @param {string} title
 * @param {string} tab
 * @param {() => Promise<HTMLElement>} draw
 */
export async function redrawnScreen(title, tab, draw) {
  /** @type {import('../app.js').Screen & {refresh: () => Promise<void>}} */
  const screen = {
    title,
    tab,
    node: await draw(),
    async refresh() {
      const fresh = await draw();
      screen.node.replaceWith(fresh);
      screen.node = fresh;
    },
  };
  return screen;
}
