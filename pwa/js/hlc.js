// @ts-check
/**
 * Hybrid logical clock stamps (PROTOCOL.md): 15-digit milliseconds, a 4-digit counter and the
 * client id, so that plain string order is clock order. A stamp never goes backwards on this
 * device, even when the phone's clock does, and moves past any stamp this device has seen.
 */

const COUNTER_LIMIT = 10_000;

/** @typedef {{ms: number, counter: number}} Clock */

/**
 * The next clock reading after `clock`, at wall time `now`.
 * @param {Clock | undefined} clock
 * @param {number} now
 * @returns {Clock}
 */
export function tick(clock, now) {
  const last = clock || { ms: 0, counter: 0 };
  if (now > last.ms) return { ms: now, counter: 0 };
  if (last.counter + 1 < COUNTER_LIMIT) return { ms: last.ms, counter: last.counter + 1 };
  return { ms: last.ms + 1, counter: 0 };
}

/**
 * The clock after seeing someone else's stamp: never behind it.
 * @param {Clock | undefined} clock
 * @param {string} stamp
 * @returns {Clock}
 */
export function observe(clock, stamp) {
  const seen = parse(stamp);
  const last = clock || { ms: 0, counter: 0 };
  if (!seen) return last;
  if (seen.ms > last.ms || (seen.ms === last.ms && seen.counter > last.counter)) return seen;
  return last;
}

/**
 * The printed stamp.
 * @param {Clock} clock
 * @param {string} clientId
 */
export function format(clock, clientId) {
  return `${String(clock.ms).padStart(15, '0')}:${String(clock.counter).padStart(4, '0')}:${clientId}`;
}

/**
 * The clock part of a printed stamp, or null.
 * @param {string} stamp
 * @returns {Clock | null}
 */
export function parse(stamp) {
  const match = /^([0-9]{15}):([0-9]{4}):/.exec(stamp || '');
  return match ? { ms: Number(match[1]), counter: Number(match[2]) } : null;
}

/**
 * The client id part of a printed stamp.
 * @param {string} stamp
 */
export function clientOf(stamp) {
  return (stamp || '').split(':').slice(2).join(':');
}
