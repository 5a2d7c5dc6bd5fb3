// @ts-check
/**
 * One lesson clock per observation (issue 12): the synced field `lesson_started_at` (ISO 8601,
 * README "Sync extensions"). Whoever opens Capture first starts it; anyone taking part may set
 * it ("started 10 minutes ago", "at 09:05") or restart it (after a confirmation, with 10 s to
 * undo: undo.js). Every phone stamps its notes' minutes from it, so merged notes agree.
 */

import { current, roleOf } from './model.js';
import { putRecord } from './outbox.js';
import { choose, waiting } from './undo.js';

/** @param {string} observationId */
export function restartKey(observationId) {
  return `clock/${observationId}`;
}

/**
 * When the lesson began (ms), as this phone shows it: a restart waiting for Undo counts.
 * @param {string} observationId
 * @param {Record<string, any>} obs the observation's current fields
 * @returns {number | null}
 */
export function clockStart(observationId, obs) {
  const pending = waiting(restartKey(observationId));
  const iso = pending ? pending.startedAt : obs.lesson_started_at;
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The minute of the lesson at `now` (0 before the start), or null without a clock.
 * @param {number | null} startedAt
 * @param {number} [now]
 */
export function minuteAt(startedAt, now = Date.now()) {
  return startedAt === null ? null : Math.max(0, Math.floor((now - startedAt) / 60_000));
}

/**
 * "09:05" today, or yesterday when that is still to come (just after midnight).
 * @param {string} hhmm
 * @param {number} [now]
 * @returns {number | null}
 */
export function startAtTime(hhmm, now = Date.now()) {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return null;
  const day = new Date(now);
  day.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (day.getTime() > now) day.setDate(day.getDate() - 1);
  return day.getTime();
}

/**
 * "started 10 minutes ago": now less that many whole minutes (to the second).
 * @param {number} minutes
 * @param {number} [now]
 * @returns {number | null}
 */
export function startMinutesAgo(minutes, now = Date.now()) {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 24 * 60) return null;
  return Math.floor(now / 1000) * 1000 - minutes * 60_000;
}

/**
 * May this person move the clock? Those taking part (and the creator) write the observation.
 * @param {import('./db.js').StoredRecord} record
 * @param {string} me
 */
export function mayMoveClock(record, me) {
  return record.created_by === me || Boolean(roleOf(current(record), me));
}

/**
 * Start the clock now if nobody has (the first phone to open Capture starts the lesson).
 * @param {import('./db.js').StoredRecord} record
 * @param {string} me
 * @param {number | null} [legacy] a clock this phone kept before the clock was synced
 */
export async function startIfNeeded(record, me, legacy = null) {
  if (current(record).lesson_started_at || !mayMoveClock(record, me)) return;
  await putRecord('observation', record.id, { lesson_started_at: new Date(legacy || Date.now()).toISOString() });
}

/**
 * Set the start (an adjustment): sent at once.
 * @param {string} observationId
 * @param {number} startedAt ms
 */
export function setStart(observationId, startedAt) {
  return putRecord('observation', observationId, { lesson_started_at: new Date(startedAt).toISOString() });
}

/**
 * Restart at minute 0, confirmed already: shown at once, sent after 10 s unless undone.
 * @param {string} observationId
 * @param {() => void} changed redraws the screen
 */
export function restart(observationId, changed) {
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  choose(restartKey(observationId), 'Lesson clock restarted at minute 0.',
    () => putRecord('observation', observationId, { lesson_started_at: startedAt }), changed, { startedAt });
}
