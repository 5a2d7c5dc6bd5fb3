// @ts-check
/** The domain's words (DOMAIN.md) and small pure helpers over stored records. No DOM, no IO. */

/** @typedef {import('./db.js').StoredRecord} StoredRecord */

export const KINDS = Object.freeze({
  peer_observation: 'Peer observation',
  team_teaching: 'Team teaching',
  lesson_study: 'Lesson study',
  learning_walk: 'Learning walk',
  coaching: 'Coaching',
});

export const KIND_HINTS = Object.freeze({
  peer_observation: 'Watch a colleague’s lesson with the focus they chose.',
  team_teaching: 'Two of you teach one lesson and both jot notes.',
  lesson_study: 'Plan together, one teaches, the others watch case pupils.',
  learning_walk: 'Short visits to many classrooms with one school focus.',
  coaching: 'A coaching or mentoring conversation.',
});

export const ROLES = Object.freeze({
  observer: 'Observer',
  observee: 'Observed teacher',
  co_teacher: 'Co-teacher',
  facilitator: 'Coach or facilitator',
});

/** Who I am, and who the others are, by default for each kind of observation. */
export const DEFAULT_ROLES = Object.freeze({
  peer_observation: ['observer', 'observee'],
  team_teaching: ['co_teacher', 'co_teacher'],
  lesson_study: ['facilitator', 'observee'],
  learning_walk: ['observer', 'observer'],
  coaching: ['facilitator', 'observee'],
});

export const CATEGORIES = Object.freeze({
  evidence: 'Saw / heard',
  pupils: 'Pupils did',
  strength: 'Strength',
  wondering: 'Wondering',
  next_step: 'Next step',
  prediction: 'Prediction',
  lookfor: 'Look-for',
});

export const CATEGORY_PROMPTS = Object.freeze({
  evidence: 'What did you see or hear?',
  pupils: 'What did pupils do or say?',
  strength: 'What went well?',
  wondering: 'A question for the conversation afterwards…',
  next_step: 'A next step to suggest…',
  prediction: 'What do you expect this pupil to do?',
  lookfor: 'A short note on this classroom…',
});

export const RATINGS = Object.freeze({ seen: 'Seen', partly: 'Partly', not_seen: 'Not seen' });

export const STATUSES = Object.freeze({ draft: 'Planned', captured: 'Notes taken', reviewed: 'Reviewed' });

export const DELIVERY = Object.freeze({
  local: 'On this phone',
  sending: 'Sending…',
  delivered: 'Delivered',
  attention: 'Needs attention',
});

/**
 * A record's values as the person sees them: pulled, plus their own unconfirmed changes.
 * @param {StoredRecord} record
 * @returns {Record<string, any> & {id: string, deleted: boolean}}
 */
export function current(record) {
  const { deleted, ...local } = record.local || {};
  return {
    ...record.fields, ...local, id: record.id,
    deleted: deleted === undefined ? record.deleted : deleted,
  };
}

/**
 * Conflicts not yet settled by this person.
 * @param {StoredRecord} record
 */
export function openConflicts(record) {
  return (record.conflicts || []).filter((c) => !(record.resolved || []).includes(c.id));
}

/**
 * Where a change stands: on this phone, sending, delivered, or needs attention.
 * @param {StoredRecord} record
 * @param {string[]} sending keys `entity:id` of the batch in flight
 * @returns {keyof typeof DELIVERY}
 */
export function delivery(record, sending) {
  if (record.problem) return 'attention';
  if (record.pendingSeq) return sending.includes(`${record.entity}:${record.id}`) ? 'sending' : 'local';
  return 'delivered';
}

/**
 * My role in an observation, or null.
 * @param {Record<string, any>} observation
 * @param {string} userId
 */
export function roleOf(observation, userId) {
  const me = (observation.participants || []).find((/** @type {any} */ p) => p.user_id === userId);
  return me ? me.role : null;
}

/**
 * The observed teacher(s): the people who own the record.
 * @param {Record<string, any>} observation
 * @returns {string[]}
 */
export function observees(observation) {
  return (observation.participants || []).filter((/** @type {any} */ p) => p.role === 'observee').map((/** @type {any} */ p) => p.user_id);
}

/**
 * Whether I gave this observation (watched, coached, co-taught) or received it (was watched).
 * @param {Record<string, any>} observation
 * @param {string} userId
 */
export function direction(observation, userId) {
  return roleOf(observation, userId) === 'observee' ? 'received' : 'given';
}

/**
 * Where an observation belongs on Today.
 * @param {Record<string, any>} observation
 * @param {number} now
 * @returns {'upcoming' | 'in_progress' | 'to_review' | 'done'}
 */
export function stage(observation, now) {
  if (observation.status === 'reviewed') return 'done';
  if (observation.status === 'captured') return 'to_review';
  return Date.parse(observation.starts_at) > now ? 'upcoming' : 'in_progress';
}

const dayTime = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dayOnly = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });

/** @param {string | null | undefined} iso */
export function formatWhen(iso) {
  return iso ? dayTime.format(new Date(iso)) : '';
}

/** @param {string | null | undefined} date YYYY-MM-DD */
export function formatDay(date) {
  return date ? dayOnly.format(new Date(`${date}T12:00:00`)) : '';
}

/**
 * "14:07" in local time (by hand: a review formats thousands of these at once).
 * @param {string | null | undefined} iso
 */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/**
 * "2 minutes ago", for the sync line.
 * @param {string | null} iso
 * @param {number} now
 */
export function formatAgo(iso, now) {
  if (!iso) return '';
  const minutes = Math.round((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return formatWhen(iso);
}

/**
 * @param {number} count
 * @param {string} one
 * @param {string} [many]
 */
export function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

/** @param {number | null} bytes */
export function formatBytes(bytes) {
  if (bytes === null) return 'unknown';
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/**
 * A title when the person gave none: "Maths with 8R".
 * @param {Record<string, any>} fields
 */
export function suggestedTitle(fields) {
  const kind = KINDS[/** @type {keyof typeof KINDS} */ (fields.kind)] || 'Observation';
  if (fields.subject && fields.class_label) return `${fields.subject} with ${fields.class_label}`;
  return fields.subject || fields.class_label || kind;
}

/**
 * Notes in time order (when written), ties broken by id so both phones agree. Times are
 * compared as instants: "…Z" and "…+00:00" spell the same moment.
 * @param {Record<string, any>[]} notes
 */
export function byTime(notes) {
  const when = new Map(notes.map((n) => [n, Date.parse(n.at)]));
  return notes.sort((a, b) => {
    const gap = /** @type {number} */ (when.get(a)) - /** @type {number} */ (when.get(b));
    return gap || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** A new random id for a record (the server takes ids from clients). */
export function newId() {
  if (globalThis.crypto && 'randomUUID' in crypto) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** @param {Date} date local date as YYYY-MM-DD */
export function isoDay(date) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
