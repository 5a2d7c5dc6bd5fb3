// @ts-check
/**
 * The IndexedDB schema of Lesson Loop. This module alone knows the database's name, version,
 * stores, keys and indexes, and computes the index keys; everything else calls the named
 * operations below and never sees an object store (after Workbox's `QueueDb`).
 *
 * An operation taking a `tx` runs inside a transaction the caller opened with `transact`, so
 * that a record change and its outbox entry commit together; one without opens its own.
 *
 * Stores:
 * - meta      key -> value: the session, the next seq, the clock, the pull cursor.
 * - records   [entity, id] -> a synced record as this device knows it: `fields` as last
 *             pulled (or acknowledged), `local` the person's changes not yet confirmed, and
 *             `version` the version last pulled. Indexes: `entity`; `parent` (the observation
 *             of a note, next step, visit or photo); `timeline` [parent, at] (notes in time
 *             order, `at` in epoch milliseconds). `recordPut` sets `parent` and `at` from the
 *             values shown. An observation or next step also keeps `yjs`: {field: base64 state
 *             of the co-written text's document on this device} (js/cotext.js); every pulled
 *             record keeps `can`, what the server lets this person do with it (js/can.js). An
 *             attachment (a photo, js/photos.js) keeps `photo` {bytes, uploaded}.
 * - outbox    seq -> a mutation waiting for the server's answer (index `record`).
 * - rejected  auto key -> a mutation the server refused, kept with its text and error.
 * - drafts    observation_id -> the capture screen's state: the kind of note, pupil, clock, visit.
 * - typing    key -> a text being typed in any field (drafts.js): its text (null once saved),
 *             caret, whether it had the focus, and the `base` of a co-written field.
 */

export const DB_NAME = 'lessonloop';
export const DB_VERSION = 2;

const STORES = Object.freeze({
  meta: 'meta',
  records: 'records',
  outbox: 'outbox',
  rejected: 'rejected',
  drafts: 'drafts',
  typing: 'typing',
});

/**
 * @typedef {keyof typeof STORES} StoreName
 * @typedef {{code: string, message: string, details?: any}} ApiErrorBody
 * @typedef {{id: string, field: string, value: any, hlc: string, author_id: string}} Conflict
 * @typedef {{
 *   entity: string, id: string, parent?: string, version: number, deleted: boolean,
 *   fields: Record<string, any>, local: Record<string, any>, created_by: string | null,
 *   conflicts: Conflict[], resolved: string[], pendingSeq: number, at?: number,
 *   fieldVersions: Record<string, number>, problem: ApiErrorBody | null,
 *   yjs?: Record<string, string>, yjsTyped?: Record<string, {from: string, to: string}>,
 *   photo?: {bytes: ArrayBuffer, uploaded: boolean, problem?: string},
 *   can?: Record<string, boolean> | null
 * }} StoredRecord
 * @typedef {{
 *   seq: number, entity: string, id: string, op: 'put' | 'delete', base_version: number,
 *   hlc: string, fields?: Record<string, any>, resolves?: string[], sentAt?: number
 * }} OutboxEntry
 * @typedef {{entry: OutboxEntry, error: ApiErrorBody, at: string}} RejectedItem
 */

/**
 * Versioned upgrades: each case brings a database from that version to the next, falling
 * through to the newest. Never edit a released case; add the next one below it.
 * @param {IDBDatabase} db
 * @param {number} oldVersion
 * @param {IDBTransaction} tx the upgrade's own transaction
 */
function upgrade(db, oldVersion, tx) {
  switch (oldVersion) {
    case 0: {
      db.createObjectStore(STORES.meta);
      const records = db.createObjectStore(STORES.records, { keyPath: ['entity', 'id'] });
      records.createIndex('entity', 'entity');
      records.createIndex('parent', 'parent');
      records.createIndex('timeline', ['parent', 'at']);
      const outbox = db.createObjectStore(STORES.outbox, { keyPath: 'seq' });
      outbox.createIndex('record', ['entity', 'id']);
      db.createObjectStore(STORES.rejected, { autoIncrement: true });
      db.createObjectStore(STORES.drafts, { keyPath: 'observation_id' });
    }
    // falls through
    case 1: {
      db.createObjectStore(STORES.typing, { keyPath: 'key' });
      moveCaptureTexts(tx);
    }
    // falls through (version 3 goes here)
    default:
  }
}

/**
 * Version 2: the words in a capture box move from the capture state to the typing store.
 * @param {IDBTransaction} tx
 */
function moveCaptureTexts(tx) {
  const drafts = tx.objectStore(STORES.drafts);
  drafts.openCursor().onsuccess = (event) => {
    const cursor = /** @type {IDBRequest<IDBCursorWithValue | null>} */ (event.target).result;
    if (!cursor) return;
    const { text, ...state } = cursor.value;
    if (text) {
      const key = `capture/${state.observation_id}`;
      tx.objectStore(STORES.typing).put({ key, text, start: text.length, end: text.length, focused: false, base: null, at: Date.now() });
    }
    cursor.update(state);
    cursor.continue();
  };
}

/** @type {Promise<IDBDatabase> | null} */
let opening = null;

/** The open database (opened once per page or worker). */
export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion, /** @type {IDBTransaction} */ (req.transaction));
      req.onsuccess = () => {
        const db = req.result;
        // A newer version of the app wants to upgrade: let it, and reload into it.
        db.onversionchange = () => {
          db.close();
          opening = null;
          if (typeof window !== 'undefined') window.location.reload();
        };
        resolve(db);
      };
      req.onerror = () => {
        opening = null;
        reject(req.error);
      };
      req.onblocked = () => console.warn('Lesson Loop: close other Lesson Loop tabs to finish an update.');
    });
  }
  return opening;
}

/**
 * A request's result as a promise. Inside a transaction, await only these.
 * @template T
 * @param {IDBRequest<T>} request
 * @returns {Promise<T>}
 */
function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Run `work` in one transaction over the stores `names` and resolve with its result once the
 * transaction commits. `work` calls the operations below with its `tx` and must await nothing
 * but them (no fetch, no timers), or the transaction ends under it.
 * @template T
 * @param {StoreName[]} names
 * @param {IDBTransactionMode} mode
 * @param {(tx: IDBTransaction) => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function transact(names, mode, work) {
  const db = await openDb();
  const tx = db.transaction(names.map((name) => STORES[name]), mode);
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException('The change was not saved.', 'AbortError'));
  });
  let result;
  try {
    result = await work(tx);
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already finished
    }
    await done.catch(() => undefined);
    throw error;
  }
  await done;
  return result;
}

/** @param {IDBTransaction} tx @param {string} key */
export function metaGet(tx, key) {
  return req(tx.objectStore(STORES.meta).get(key));
}

/** @param {IDBTransaction} tx @param {string} key @param {any} value */
export function metaPut(tx, key, value) {
  return req(tx.objectStore(STORES.meta).put(value, key));
}

/** @param {string} key */
export function readMeta(key) {
  return transact(['meta'], 'readonly', (tx) => metaGet(tx, key));
}

/** @param {string} key @param {any} value */
export function writeMeta(key, value) {
  return transact(['meta'], 'readwrite', (tx) => metaPut(tx, key, value));
}

// The entities filed under an observation (index `parent`: notes, next steps, a walk's visits,
// photos); notes are also in its `timeline`.
const CHILD_ENTITIES = new Set(['note', 'next_step', 'visit', 'attachment']);

/**
 * Set the record's index keys from the values it shows (its own changes over the pulled ones).
 * A key the record has no value for keeps what it had.
 * @param {StoredRecord} record
 */
function setIndexKeys(record) {
  const parent = record.local.observation_id || record.fields.observation_id;
  if (CHILD_ENTITIES.has(record.entity) && parent) record.parent = parent;
  const at = record.local.at || record.fields.at;
  if (record.entity === 'note' && at) record.at = Date.parse(at);
}

/** @param {IDBTransaction} tx @param {string} entity @param {string} id @returns {Promise<StoredRecord | undefined>} */
export function recordGet(tx, entity, id) {
  return req(tx.objectStore(STORES.records).get([entity, id]));
}

/** Store a record (with its index keys set on it). @param {IDBTransaction} tx @param {StoredRecord} record */
export function recordPut(tx, record) {
  setIndexKeys(record);
  return req(tx.objectStore(STORES.records).put(record));
}

/** @param {IDBTransaction} tx @param {string} entity @param {string} id */
export function recordDelete(tx, entity, id) {
  return req(tx.objectStore(STORES.records).delete([entity, id]));
}

/** The notes and next steps of one observation. @param {IDBTransaction} tx @param {string} parentId @returns {Promise<StoredRecord[]>} */
export function childrenGet(tx, parentId) {
  return req(tx.objectStore(STORES.records).index('parent').getAll(parentId));
}

/**
 * The first notes of an observation in time order, and how many it has.
 * @param {string} observationId
 * @param {number} limit
 * @returns {Promise<{notes: StoredRecord[], total: number}>}
 */
export function readTimeline(observationId, limit) {
  return transact(['records'], 'readonly', async (tx) => {
    const index = tx.objectStore(STORES.records).index('timeline');
    const range = IDBKeyRange.bound([observationId, -Infinity], [observationId, Infinity]);
    const [notes, total] = await Promise.all([req(index.getAll(range, limit)), req(index.count(range))]);
    return { notes, total };
  });
}

/**
 * Every record of some entities, read in one transaction.
 * @param {string[]} entities
 * @returns {Promise<Record<string, StoredRecord[]>>}
 */
export function readEntities(entities) {
  return transact(['records'], 'readonly', async (tx) => {
    const index = tx.objectStore(STORES.records).index('entity');
    const lists = await Promise.all(entities.map((e) => req(index.getAll(e))));
    return Object.fromEntries(entities.map((e, i) => [e, lists[i]]));
  });
}

/** One record, or undefined. @param {string} entity @param {string} id */
export function readRecord(entity, id) {
  return transact(['records'], 'readonly', (tx) => recordGet(tx, entity, id));
}

/** The notes and next steps of one observation. @param {string} observationId */
export function readChildren(observationId) {
  return transact(['records'], 'readonly', (tx) => childrenGet(tx, observationId));
}

/** Queue an entry under a new seq. @param {IDBTransaction} tx @param {OutboxEntry} entry */
export function addEntry(tx, entry) {
  return req(tx.objectStore(STORES.outbox).add(entry));
}

/** Store a queued entry again, changed. @param {IDBTransaction} tx @param {OutboxEntry} entry */
export function updateEntry(tx, entry) {
  return req(tx.objectStore(STORES.outbox).put(entry));
}

/** @param {IDBTransaction} tx @param {number} seq */
export function deleteEntry(tx, seq) {
  return req(tx.objectStore(STORES.outbox).delete(seq));
}

/** The outbox entries of one record, oldest first. @param {IDBTransaction} tx @param {string} entity @param {string} id @returns {Promise<OutboxEntry[]>} */
export function entriesOfRecord(tx, entity, id) {
  return req(tx.objectStore(STORES.outbox).index('record').getAll([entity, id]));
}

/** The oldest outbox entries, in seq order (all without a limit). @param {IDBTransaction} tx @param {number} [limit] @returns {Promise<OutboxEntry[]>} */
export function firstEntries(tx, limit) {
  return req(tx.objectStore(STORES.outbox).getAll(null, limit));
}

/** The newest outbox entry, or undefined. @param {IDBTransaction} tx @returns {Promise<OutboxEntry | undefined>} */
export async function lastEntry(tx) {
  const cursor = await req(tx.objectStore(STORES.outbox).openCursor(null, 'prev'));
  return cursor ? cursor.value : undefined;
}

/** Empty the outbox and queue `entries` in its place. @param {IDBTransaction} tx @param {OutboxEntry[]} entries */
export async function replaceEntries(tx, entries) {
  const store = tx.objectStore(STORES.outbox);
  await req(store.clear());
  for (const entry of entries) await req(store.add(entry));
}

/** How many changes wait to be sent. */
export function countEntries() {
  return transact(['outbox'], 'readonly', (tx) => req(tx.objectStore(STORES.outbox).count()));
}

/** @param {IDBTransaction} tx @param {RejectedItem} item */
export function addRejected(tx, item) {
  return req(tx.objectStore(STORES.rejected).add(item));
}

/**
 * Remove one refused change and return it (undefined when it is gone already).
 * @param {IDBTransaction} tx
 * @param {number} key
 * @returns {Promise<RejectedItem | undefined>}
 */
export async function takeRejected(tx, key) {
  const store = tx.objectStore(STORES.rejected);
  const item = await req(store.get(key));
  if (item) await req(store.delete(key));
  return item;
}

/**
 * The refused changes, with their keys.
 * @returns {Promise<({key: number} & RejectedItem)[]>}
 */
export function readRejected() {
  return transact(['rejected'], 'readonly', async (tx) => {
    const store = tx.objectStore(STORES.rejected);
    const [keys, values] = await Promise.all([req(store.getAllKeys()), req(store.getAll())]);
    return values.map((value, i) => ({ key: Number(keys[i]), ...value }));
  });
}

/** @param {IDBTransaction} tx @param {any} draft */
export function draftPut(tx, draft) {
  return req(tx.objectStore(STORES.drafts).put(draft));
}

/** @param {string} observationId */
export function readDraft(observationId) {
  return transact(['drafts'], 'readonly', (tx) => req(tx.objectStore(STORES.drafts).get(observationId)));
}

/** @param {any} draft */
export function writeDraft(draft) {
  return transact(['drafts'], 'readwrite', (tx) => draftPut(tx, draft));
}

/** Every text being typed (drafts.js). */
export function readTyping() {
  return transact(['typing'], 'readonly', (tx) => req(tx.objectStore(STORES.typing).getAll()));
}

/**
 * Keep some typed texts, and forget others, in one transaction.
 * @param {any[]} puts @param {string[]} deletes
 */
export function writeTyping(puts, deletes) {
  return transact(['typing'], 'readwrite', async (tx) => {
    const store = tx.objectStore(STORES.typing);
    await Promise.all([...puts.map((d) => req(store.put(d))), ...deletes.map((key) => req(store.delete(key)))]);
  });
}

/** @param {IDBTransaction} tx @param {string} key */
export function typingDelete(tx, key) {
  return req(tx.objectStore(STORES.typing).delete(key));
}

/** Forget everything on this device (signing out). */
export function clearAll() {
  const names = /** @type {StoreName[]} */ (Object.keys(STORES));
  return transact(names, 'readwrite', async (tx) => {
    await Promise.all(names.map((name) => req(tx.objectStore(STORES[name]).clear())));
  });
}
