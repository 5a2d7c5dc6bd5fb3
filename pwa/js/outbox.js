// @ts-check
/**
 * The outbox: every change a person makes is written, with its outbox entry, in ONE
 * IndexedDB transaction, so a change is either on this device and queued, or not made at all.
 *
 * An entry carries the per-client `seq` (counting up from 1), the record's `base_version` and
 * an HLC stamp (PROTOCOL.md). It leaves the outbox only when the server has answered for it
 * (acknowledge below, called by sync.js). A refused change moves to the `rejected` store with
 * its text and the server's error, and its record shows "needs attention".
 *
 * base_version is the version last pulled, except for fields whose last change was this
 * device's own, acknowledged as `applied` at version V: for those the device knows the field's
 * state at V, so later edits of just those fields send V and never conflict with themselves.
 *
 * An edit of a record whose newest entry has not been sent yet is folded into that entry (the
 * same seq, the newer stamp), so typing produces one mutation per pause, not one per keystroke.
 *
 * A co-written text (cotext.js) whose document this device holds is queued as a Yjs edit,
 * `{"yjs": update}`, not as the string; the record shows the document's text and keeps its new
 * state in `yjs`. Edits folded into one entry are merged into one update; an entry sent again
 * after a lost answer is the same seq, so the server answers `duplicate` (and an update applied
 * twice changes nothing anyway).
 */

import {
  addEntry, addRejected, deleteEntry, draftPut, entriesOfRecord, firstEntries, lastEntry, metaGet,
  metaPut, recordDelete, recordGet, recordPut, replaceEntries, takeRejected, transact, typingDelete, updateEntry,
} from './db.js';
import { coWrite, foldFields, isEdit } from './cotext.js';
import { format, tick } from './hlc.js';

/** @typedef {import('./db.js').StoredRecord} StoredRecord */
/** @typedef {import('./db.js').OutboxEntry} OutboxEntry */
/**
 * @typedef {{seq: number, status: string, version?: number, conflicts?: import('./db.js').Conflict[],
 *   error?: import('./db.js').ApiErrorBody}} PushResult
 */

/**
 * What a person's change writes: the record, its outbox entry, the seq and the clock.
 * @type {import('./db.js').StoreName[]}
 */
const CHANGE_SCOPE = ['meta', 'records', 'outbox'];
// Fields naming other records: an edit carrying them is folded only into the newest entry, so
// that it never overtakes the creation of the record it names.
const REFERENCES = new Set(['focus_ids', 'focus_id', 'lookfor_id', 'observation_id', 'visit_id']);

/** @type {Set<() => void>} */
const listeners = new Set();

/**
 * Call `listener` after every change is queued (sync.js schedules a send).
 * @param {() => void} listener
 */
export function onQueued(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tell the listeners a change was queued (also for photos.js, which queues its own). */
export function queued() {
  for (const listener of listeners) listener();
}

/**
 * A record this device has never pulled.
 * @param {string} entity
 * @param {string} id
 * @param {string | null} userId
 * @returns {StoredRecord}
 */
export function blankRecord(entity, id, userId) {
  return {
    entity, id, version: 0, deleted: false, fields: {}, local: {}, created_by: userId,
    conflicts: [], resolved: [], pendingSeq: 0, fieldVersions: {}, problem: null, yjs: {},
  };
}

/**
 * @typedef {{op: 'put' | 'delete', fields?: Record<string, any>, resolves?: string[],
 *   bases?: Record<string, string>}} Change
 */

/**
 * The names a change writes (a delete writes `deleted`).
 * @param {{op: string, fields?: Record<string, any>}} change
 */
function namesOf(change) {
  return change.op === 'delete' ? ['deleted'] : Object.keys(change.fields || {});
}

/**
 * The version this device has seen of the fields it is about to write.
 * @param {StoredRecord} record
 * @param {string[]} names
 */
export function baseVersion(record, names) {
  const versions = names.map((n) => Math.max(record.version, record.fieldVersions[n] || 0));
  return versions.length ? Math.min(...versions) : record.version;
}

/**
 * Fold a put into the record's newest unsent entry, if that is safe; returns its seq or 0.
 * @param {IDBTransaction} tx
 * @param {StoredRecord} record
 * @param {{op: string, fields?: Record<string, any>, resolves?: string[]}} change
 * @param {string} stamp
 */
async function fold(tx, record, change, stamp) {
  if (!record.pendingSeq || change.op !== 'put' || (change.resolves && change.resolves.length)) return 0;
  const entries = await entriesOfRecord(tx, record.entity, record.id);
  const newest = entries[entries.length - 1];
  if (!newest || newest.sentAt || newest.op !== 'put' || (newest.resolves || []).length) return 0;
  const names = namesOf(change);
  if (names.some((n) => REFERENCES.has(n))) {
    const last = await lastEntry(tx);
    if (!last || last.seq !== newest.seq) return 0;
  }
  newest.fields = foldFields(newest.fields || {}, change.fields || {});
  newest.hlc = stamp;
  newest.base_version = Math.min(newest.base_version, baseVersion(record, names));
  await updateEntry(tx, newest);
  return newest.seq;
}

/**
 * Queue one change inside the caller's transaction (meta, records, outbox); returns its seq.
 * Reads go out together and writes are queued without waiting on each other: a save is a
 * couple of round trips to the database, not ten.
 * @param {IDBTransaction} tx
 * @param {string} entity
 * @param {string} id
 * @param {Change} change
 */
export async function enqueue(tx, entity, id, change) {
  const [session, lastClock, lastSeq, stored] = await Promise.all([
    metaGet(tx, 'session'), metaGet(tx, 'clock'), metaGet(tx, 'seq'), recordGet(tx, entity, id),
  ]);
  if (!session || !session.client_id) throw new Error('Sign in first, so your changes know who made them.');
  const clock = tick(lastClock, Date.now());
  const stamp = format(clock, session.client_id);
  const record = stored || blankRecord(entity, id, session.user.id);
  const { wire, shown } = change.op === 'put' ? coWrite(record, change) : { wire: {}, shown: {} };
  const queuedChange = change.op === 'put' ? { ...change, fields: wire } : change;
  let seq = await fold(tx, record, queuedChange, stamp);
  const writes = [];
  if (!seq) {
    seq = (lastSeq || 0) + 1;
    /** @type {OutboxEntry} */
    const entry = {
      seq, entity, id, op: change.op, base_version: baseVersion(record, namesOf(change)), hlc: stamp,
    };
    if (change.op === 'put') entry.fields = wire;
    if (change.resolves && change.resolves.length) entry.resolves = change.resolves;
    writes.push(addEntry(tx, entry), metaPut(tx, 'seq', seq));
  }
  applyLocally(record, change.op === 'put' ? { ...change, fields: shown } : change, seq);
  writes.push(recordPut(tx, record), metaPut(tx, 'clock', clock));
  await Promise.all(writes);
  return seq;
}

/**
 * Show the change on this device at once, as waiting to be sent.
 * @param {StoredRecord} record
 * @param {{op: string, fields?: Record<string, any>, resolves?: string[]}} change
 * @param {number} seq
 */
function applyLocally(record, change, seq) {
  const fields = change.op === 'delete' ? { deleted: true } : change.fields || {};
  record.local = { ...record.local, ...fields };
  record.pendingSeq = seq;
  record.problem = null;
  if (change.resolves) record.resolved = [...new Set([...record.resolved, ...change.resolves])];
}

/**
 * Create or change a record's fields.
 * @param {string} entity
 * @param {string} id
 * @param {Record<string, any>} fields
 * @param {{resolves?: string[], bases?: Record<string, string>}} [options] `bases`: for a
 *   co-written field, the document state (`record.yjs[field]`) the person started editing
 *   from, so that words a partner added since are kept.
 */
export async function putRecord(entity, id, fields, options = {}) {
  const change = { op: /** @type {const} */ ('put'), fields, resolves: options.resolves, bases: options.bases };
  const seq = await transact(CHANGE_SCOPE, 'readwrite', (tx) => enqueue(tx, entity, id, change));
  queued();
  return seq;
}

/**
 * Delete a record (a tombstone on the server; it can be restored).
 * @param {string} entity
 * @param {string} id
 */
export async function deleteRecord(entity, id) {
  const seq = await transact(CHANGE_SCOPE, 'readwrite', (tx) => enqueue(tx, entity, id, { op: 'delete' }));
  queued();
  return seq;
}

/**
 * Save a note, store the capture state and forget the typed words (drafts.js's `typingKey`)
 * in the same transaction, so that a note is never both saved and still sitting in the text
 * box after a crash.
 * @param {string} noteId
 * @param {Record<string, any>} fields
 * @param {any} nextDraft
 * @param {string} typingKey
 */
export async function saveNote(noteId, fields, nextDraft, typingKey) {
  const seq = await transact([...CHANGE_SCOPE, 'drafts', 'typing'], 'readwrite', async (tx) => {
    const [result] = await Promise.all([
      enqueue(tx, 'note', noteId, { op: 'put', fields }), draftPut(tx, nextDraft), typingDelete(tx, typingKey)]);
    return result;
  });
  queued();
  return seq;
}

/**
 * Record the server's answer for one sent entry (inside sync.js's transaction).
 * @param {IDBTransaction} tx
 * @param {OutboxEntry} entry
 * @param {PushResult} result
 */
export async function acknowledge(tx, entry, result) {
  await deleteEntry(tx, entry.seq);
  const record = await recordGet(tx, entry.entity, entry.id);
  if (result.status === 'rejected') {
    const error = result.error || { code: 'rejected', message: 'The server refused this change.' };
    await addRejected(tx, { entry, error, at: new Date().toISOString() });
    if (record) record.problem = error;
    if (record) forgetRefusedEdits(record, entry);
  }
  if (!record) return;
  if (record.pendingSeq <= entry.seq) {
    if (result.status !== 'rejected') settleLocal(record);
    record.pendingSeq = 0;
  }
  if (result.conflicts) record.conflicts = result.conflicts;
  if (result.status === 'applied' && result.version) await rebase(tx, record, entry, result.version);
  await recordPut(tx, record);
}

/**
 * The server refused a Yjs edit: this device's document holds words the server's does not, so
 * it is dropped (the words stay in `local`); the next pull brings the server's document back.
 * @param {StoredRecord} record
 * @param {OutboxEntry} entry
 */
function forgetRefusedEdits(record, entry) {
  const refused = Object.entries(entry.fields || {}).filter(([, value]) => isEdit(value));
  if (!refused.length || !record.yjs) return;
  record.yjs = Object.fromEntries(Object.entries(record.yjs).filter(([name]) => !refused.some(([n]) => n === name)));
}

/**
 * Nothing newer waits: the confirmed values become the record's own.
 * @param {StoredRecord} record
 */
function settleLocal(record) {
  const { deleted, ...fields } = record.local;
  record.fields = { ...record.fields, ...fields };
  if (deleted !== undefined) record.deleted = deleted;
  record.local = {};
}

/**
 * After `entry` was applied at `version`: its fields are known at that version, and unsent
 * later entries writing only those fields may say so.
 * @param {IDBTransaction} tx
 * @param {StoredRecord} record
 * @param {OutboxEntry} entry
 * @param {number} version
 */
async function rebase(tx, record, entry, version) {
  const names = namesOf(entry);
  for (const name of names) record.fieldVersions[name] = Math.max(record.fieldVersions[name] || 0, version);
  const later = (await entriesOfRecord(tx, record.entity, record.id)).filter((e) => e.seq > entry.seq);
  for (const next of later) {
    if (next.sentAt || !namesOf(next).every((n) => names.includes(n))) continue;
    if (next.base_version < version) {
      next.base_version = version;
      await updateEntry(tx, next);
    }
  }
}

/**
 * Number the waiting entries again from `lastSeq + 1` (the server lost track of this
 * device's later seqs, e.g. after a restore from backup); none of them was applied.
 * @param {IDBTransaction} tx
 * @param {number} lastSeq
 */
export async function renumber(tx, lastSeq) {
  const entries = await firstEntries(tx);
  const renumbered = entries.map((entry, i) => ({ ...entry, seq: lastSeq + 1 + i, sentAt: undefined }));
  const moved = new Map(entries.map((entry, i) => [entry.seq, renumbered[i].seq]));
  await replaceEntries(tx, renumbered);
  await metaPut(tx, 'seq', lastSeq + entries.length);
  const keys = new Set(entries.map((e) => `${e.entity}\u0000${e.id}`));
  for (const key of keys) {
    const [entity, id] = key.split('\u0000');
    const record = await recordGet(tx, entity, id);
    if (record && moved.has(record.pendingSeq)) {
      record.pendingSeq = moved.get(record.pendingSeq) || 0;
      await recordPut(tx, record);
    }
  }
}

/**
 * Send a refused change again, with the values the person sees now.
 * @param {number} key
 */
export async function retryRejected(key) {
  await transact([...CHANGE_SCOPE, 'rejected'], 'readwrite', async (tx) => {
    const item = await takeRejected(tx, key);
    if (!item) return;
    const entry = item.entry;
    const record = await recordGet(tx, entry.entity, entry.id);
    if (entry.op === 'delete') {
      await enqueue(tx, entry.entity, entry.id, { op: 'delete' });
      return;
    }
    const now = record ? { ...record.fields, ...record.local } : {};
    const fields = Object.fromEntries(Object.keys(entry.fields || {}).map((n) => [n, n in now ? now[n] : entry.fields?.[n]]));
    await enqueue(tx, entry.entity, entry.id, { op: 'put', fields });
  });
  queued();
}

/**
 * The person chose to let a refused change go.
 * @param {number} key
 */
export async function discardRejected(key) {
  await transact(['records', 'rejected'], 'readwrite', async (tx) => {
    const item = await takeRejected(tx, key);
    if (!item) return;
    const entry = item.entry;
    const record = await recordGet(tx, entry.entity, entry.id);
    if (!record) return;
    record.problem = null;
    if (record.pendingSeq) return recordPut(tx, record);
    if (record.version === 0 && !Object.keys(record.fields).length) return recordDelete(tx, entry.entity, entry.id);
    record.local = {};
    return recordPut(tx, record);
  });
}
