// @ts-check
/**
 * The IndexedDB schema of Lesson Loop. This module alone knows the database's name, version,
 * stores, keys and indexes; everything else goes through the functions below.
 *
 * Stores:
 * - meta      key -> value: the session, the next seq, the clock, the pull cursor.
 * - records   [entity, id] -> a synced record as this device knows it: `fields` as last
 *             pulled (or acknowledged), `local` the person's changes not yet confirmed, and
 *             `version` the version last pulled. Indexes: `entity`; `parent` (the observation
 *             of a note or next step); `timeline` [parent, at] (notes in time order, `at` in
 *             epoch milliseconds).
 * - outbox    seq -> a mutation waiting for the server's answer (index `record`).
 * - rejected  auto key -> a mutation the server refused, kept with its text and error.
 * - drafts    observation_id -> the note being typed on the capture screen, and its clock.
 */

export const DB_NAME = 'lessonloop';
export const DB_VERSION = 1;

export const STORES = Object.freeze({
  meta: 'meta',
  records: 'records',
  outbox: 'outbox',
  rejected: 'rejected',
  drafts: 'drafts',
});

/**
 * @typedef {{code: string, message: string, details?: any}} ApiErrorBody
 * @typedef {{id: string, field: string, value: any, hlc: string, author_id: string}} Conflict
 * @typedef {{
 *   entity: string, id: string, parent?: string, version: number, deleted: boolean,
 *   fields: Record<string, any>, local: Record<string, any>, created_by: string | null,
 *   conflicts: Conflict[], resolved: string[], pendingSeq: number, at?: number,
 *   fieldVersions: Record<string, number>, problem: ApiErrorBody | null
 * }} StoredRecord
 * @typedef {{
 *   seq: number, entity: string, id: string, op: 'put' | 'delete', base_version: number,
 *   hlc: string, fields?: Record<string, any>, resolves?: string[], sentAt?: number
 * }} OutboxEntry
 */

/**
 * Versioned upgrades: each case brings a database from that version to the next, falling
 * through to the newest. Never edit a released case; add the next one below it.
 * @param {IDBDatabase} db
 * @param {number} oldVersion
 */
function upgrade(db, oldVersion) {
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
    // falls through (version 2 goes here)
    default:
  }
}

/** @type {Promise<IDBDatabase> | null} */
let opening = null;

/** The open database (opened once per page or worker). */
export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion);
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
export function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Run `work` in one transaction and resolve with its result once the transaction commits.
 * `work` must await nothing but this transaction's own requests (no fetch, no timers).
 * @template T
 * @param {string[]} names
 * @param {IDBTransactionMode} mode
 * @param {(tx: IDBTransaction) => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function transact(names, mode, work) {
  const db = await openDb();
  const tx = db.transaction(names, mode);
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

/**
 * @param {IDBTransaction} tx
 * @param {string} key
 */
export function metaGet(tx, key) {
  return req(tx.objectStore(STORES.meta).get(key));
}

/**
 * @param {IDBTransaction} tx
 * @param {string} key
 * @param {any} value
 */
export function metaPut(tx, key, value) {
  return req(tx.objectStore(STORES.meta).put(value, key));
}

/** @param {string} key */
export function readMeta(key) {
  return transact([STORES.meta], 'readonly', (tx) => metaGet(tx, key));
}

/**
 * @param {string} key
 * @param {any} value
 */
export function writeMeta(key, value) {
  return transact([STORES.meta], 'readwrite', (tx) => metaPut(tx, key, value));
}

/**
 * @param {IDBTransaction} tx
 * @param {string} entity
 * @param {string} id
 * @returns {Promise<StoredRecord | undefined>}
 */
export function recordGet(tx, entity, id) {
  return req(tx.objectStore(STORES.records).get([entity, id]));
}

/**
 * @param {IDBTransaction} tx
 * @param {StoredRecord} record
 */
export function recordPut(tx, record) {
  return req(tx.objectStore(STORES.records).put(record));
}

/**
 * @param {IDBTransaction} tx
 * @param {string} entity
 * @param {string} id
 */
export function recordDelete(tx, entity, id) {
  return req(tx.objectStore(STORES.records).delete([entity, id]));
}

/**
 * @param {IDBTransaction} tx
 * @param {string} parentId
 * @returns {Promise<StoredRecord[]>}
 */
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
  return transact([STORES.records], 'readonly', async (tx) => {
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
  return transact([STORES.records], 'readonly', async (tx) => {
    const index = tx.objectStore(STORES.records).index('entity');
    const lists = await Promise.all(entities.map((e) => req(index.getAll(e))));
    return Object.fromEntries(entities.map((e, i) => [e, lists[i]]));
  });
}

/**
 * One record, or undefined.
 * @param {string} entity
 * @param {string} id
 */
export function readRecord(entity, id) {
  return transact([STORES.records], 'readonly', (tx) => recordGet(tx, entity, id));
}

/**
 * The notes and next steps of one observation.
 * @param {string} observationId
 */
export function readChildren(observationId) {
  return transact([STORES.records], 'readonly', (tx) => childrenGet(tx, observationId));
}

/**
 * @param {IDBTransaction} tx
 * @returns {IDBObjectStore}
 */
export function outboxStore(tx) {
  return tx.objectStore(STORES.outbox);
}

/**
 * The outbox entries of one record, oldest first.
 * @param {IDBTransaction} tx
 * @param {string} entity
 * @param {string} id
 * @returns {Promise<OutboxEntry[]>}
 */
export function outboxOfRecord(tx, entity, id) {
  return req(outboxStore(tx).index('record').getAll([entity, id]));
}

/** How many changes wait to be sent. */
export function outboxCount() {
  return transact([STORES.outbox], 'readonly', (tx) => req(outboxStore(tx).count()));
}

/**
 * The oldest outbox entries, in seq order.
 * @param {IDBTransaction} tx
 * @param {number} limit
 * @returns {Promise<OutboxEntry[]>}
 */
export function outboxHead(tx, limit) {
  return req(outboxStore(tx).getAll(null, limit));
}

/**
 * The newest outbox entry, or undefined.
 * @param {IDBTransaction} tx
 * @returns {Promise<OutboxEntry | undefined>}
 */
export async function outboxLast(tx) {
  const cursor = await req(outboxStore(tx).openCursor(null, 'prev'));
  return cursor ? cursor.value : undefined;
}

/**
 * Entries newer than `seq`.
 * @param {IDBTransaction} tx
 * @param {number} seq
 * @returns {Promise<OutboxEntry[]>}
 */
export function outboxAfter(tx, seq) {
  return req(outboxStore(tx).getAll(IDBKeyRange.lowerBound(seq, true)));
}

/**
 * @param {IDBTransaction} tx
 * @returns {IDBObjectStore}
 */
export function rejectedStore(tx) {
  return tx.objectStore(STORES.rejected);
}

/**
 * The refused changes, with their keys.
 * @returns {Promise<{key: number, entry: OutboxEntry, error: ApiErrorBody, at: string}[]>}
 */
export function readRejected() {
  return transact([STORES.rejected], 'readonly', async (tx) => {
    const store = rejectedStore(tx);
    const [keys, values] = await Promise.all([req(store.getAllKeys()), req(store.getAll())]);
    return values.map((value, i) => ({ key: Number(keys[i]), ...value }));
  });
}

/**
 * @param {IDBTransaction} tx
 * @param {string} observationId
 */
export function draftGet(tx, observationId) {
  return req(tx.objectStore(STORES.drafts).get(observationId));
}

/**
 * @param {IDBTransaction} tx
 * @param {any} draft
 */
export function draftPut(tx, draft) {
  return req(tx.objectStore(STORES.drafts).put(draft));
}

/** @param {string} observationId */
export function readDraft(observationId) {
  return transact([STORES.drafts], 'readonly', (tx) => draftGet(tx, observationId));
}

/** @param {any} draft */
export function writeDraft(draft) {
  return transact([STORES.drafts], 'readwrite', (tx) => draftPut(tx, draft));
}

/** Every draft with text in it. */
export function readDrafts() {
  return transact([STORES.drafts], 'readonly', (tx) => req(tx.objectStore(STORES.drafts).getAll()));
}

/** Forget everything on this device (signing out). */
export function clearAll() {
  const names = Object.values(STORES);
  return transact(names, 'readwrite', async (tx) => {
    await Promise.all(names.map((name) => req(tx.objectStore(name).clear())));
  });
}
