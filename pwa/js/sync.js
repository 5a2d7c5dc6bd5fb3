// @ts-check
/**
 * Sync (PROTOCOL.md push and pull). One flush at a time (a Web Lock where the browser has one,
 * so a page, another tab and the service worker never send at once): push the outbox in seq
 * order, batch by batch, then pull every change above the cursor.
 *
 * Never `await fetch` inside an IndexedDB transaction: a batch is read (and marked sent) in one
 * transaction, sent with no transaction open, and the server's answer recorded in another.
 * An entry leaves the outbox only in that last transaction. A lost answer is harmless: the
 * batch is sent again and the server answers `duplicate`, which counts as delivered.
 *
 * Flushes happen at start, soon after a change, on `online`, when the app becomes visible,
 * every 30 s while online, and on Background Sync where the browser has it; failures retry
 * with exponential backoff and jitter.
 */

import { ApiError, NetworkError, api } from './api.js';
import {
  childrenGet, firstEntries, metaGet, metaPut, readMeta, recordDelete, recordGet, recordPut, transact,
  updateEntry, writeMeta,
} from './db.js';
import { fieldKey, mergePulled } from './cotext.js';
import { pulledCan } from './can.js';
import { observe } from './hlc.js';
import { uploadPhotos } from './photos.js';
import { acknowledge, blankRecord, onQueued, renumber } from './outbox.js';
import { notifyData, publish, refreshCounts, status } from './sync-status.js';

export { onData, onStatus, refreshCounts } from './sync-status.js';

const BATCH_MAX = 100;
const BATCH_BYTES = 512 * 1024;
const PULL_LIMIT = 500;
const PERIOD_MS = 30_000;
const SOON_MS = 400;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 5 * 60_000;
const LOCK = 'lessonloop-sync';

/** @param {number} attempt */
export function backoffDelay(attempt) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** @type {Promise<void> | null} */
let running = null;
let again = false;

/** Send and receive now (joining the flush already under way, then going once more). */
export function flush() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await withLock(cycle);
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

/** The service worker's Background Sync handler. */
export const flushFromWorker = flush;

/**
 * @param {() => Promise<void>} work
 */
function withLock(work) {
  const locks = typeof navigator !== 'undefined' && navigator.locks;
  return locks ? locks.request(LOCK, work) : work();
}

async function cycle() {
  const session = await readMeta('session');
  if (!session) return;
  if (session.ended) {
    publish({ state: 'signed_out', error: 'Your sign-in has ended. Sign in again to send your changes.' });
    return;
  }
  clearTimeout(retryTimer);
  if (typeof navigator !== 'undefined' && navigator.onLine === false) {
    // Surely offline: send nothing (and mark nothing as sent); `online` brings us back.
    publish({ state: 'offline', error: null, sending: [] });
    return;
  }
  try {
    await pushAll(session);
    await uploadPhotos(session); // the bytes of photos whose records the server has (photos.js)
    publish({ state: 'receiving', sending: [] });
    await pullAll(session);
    const lastSyncedAt = new Date().toISOString();
    await writeMeta('lastSyncedAt', lastSyncedAt);
    publish({ state: 'idle', error: null, attempts: 0, nextRetryAt: null, lastSyncedAt, sending: [], progress: null });
  } catch (error) {
    await failed(error, session);
  } finally {
    await refreshCounts();
    notifyData(true);
  }
}

/**
 * @param {unknown} error
 * @param {any} session
 */
async function failed(error, session) {
  publish({ sending: [], progress: null });
  if (error instanceof ApiError && (error.status === 401 || error.code === 'client_mismatch')) {
    await writeMeta('session', { ...session, ended: true });
    publish({ state: 'signed_out', error: 'Your sign-in has ended. Sign in again to send your changes.' });
    return;
  }
  const attempts = status.attempts + 1;
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof NetworkError || error instanceof ApiError)) console.error('Lesson Loop sync:', error);
  const delay = backoffDelay(attempts);
  publish({
    state: offline ? 'offline' : 'retrying', attempts, error: offline ? null : message,
    nextRetryAt: Date.now() + delay,
  });
  retryLater(delay);
  requestBackgroundSync();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;

/** @param {number} delay */
function retryLater(delay) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => flush(), delay);
}

function requestBackgroundSync() {
  if (typeof navigator === 'undefined' || !navigator.serviceWorker || typeof window === 'undefined') return;
  navigator.serviceWorker.ready
    .then((registration) => /** @type {any} */ (registration).sync?.register('outbox'))
    .catch(() => undefined);
}

// ---- push ------------------------------------------------------------------------------

/** @param {any} session */
async function pushAll(session) {
  let size = BATCH_MAX;
  for (let round = 0; round < 10_000; round += 1) {
    const batch = await takeBatch(size);
    if (!batch.length) return;
    publish({ state: 'sending', sending: batch.map((e) => `${e.entity}:${e.id}`) });
    notifyData(false);
    let answer;
    try {
      answer = await api('/sync/push', {
        method: 'POST', token: session.token,
        body: { client_id: session.client_id, mutations: batch.map(toWire) },
      });
    } catch (error) {
      // Too big or unreadable as a whole: send smaller batches until the culprit stands alone.
      if (error instanceof ApiError && (error.status === 413 || error.status === 400) && batch.length > 1) {
        size = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      if (error instanceof ApiError && (error.status === 413 || error.status === 400)) {
        await recordAnswers(batch, { results: [{ seq: batch[0].seq, status: 'rejected', error: { code: error.code, message: error.message } }], last_seq: 0 });
        continue;
      }
      throw error;
    }
    await recordAnswers(batch, answer);
    notifyData(true);
  }
}

/**
 * The oldest entries, marked as sent (so no later edit is folded into them).
 * @param {number} size
 */
function takeBatch(size) {
  return transact(['outbox'], 'readwrite', async (tx) => {
    const entries = await firstEntries(tx, size);
    const batch = [];
    let bytes = 0;
    for (const entry of entries) {
      bytes += JSON.stringify(entry).length * 2;
      if (batch.length && bytes > BATCH_BYTES) break;
      batch.push(entry);
    }
    const now = Date.now();
    for (const entry of batch) {
      if (!entry.sentAt) await updateEntry(tx, { ...entry, sentAt: now });
    }
    return batch;
  });
}

/** @param {import('./db.js').OutboxEntry} entry */
function toWire(entry) {
  const { sentAt, ...mutation } = entry;
  return mutation;
}

/**
 * Record the server's answer for each entry of a sent batch, in one transaction.
 * @param {import('./db.js').OutboxEntry[]} batch
 * @param {{results: import('./outbox.js').PushResult[], last_seq: number}} answer
 */
function recordAnswers(batch, answer) {
  return transact(['meta', 'records', 'outbox', 'rejected'], 'readwrite', async (tx) => {
    const bySeq = new Map(batch.map((entry) => [entry.seq, entry]));
    let outOfOrder = false;
    for (const result of answer.results) {
      const entry = bySeq.get(result.seq);
      if (!entry) continue;
      if (result.status === 'out_of_order') outOfOrder = true;
      else await acknowledge(tx, entry, result);
    }
    if (outOfOrder) {
      // Resend from last+1: if the server is missing seqs this device no longer holds, the
      // waiting entries (none of them applied) take the numbers from last+1 on.
      const [head] = await firstEntries(tx, 1);
      if (head && head.seq > answer.last_seq + 1) await renumber(tx, answer.last_seq);
    }
  });
}

// ---- pull ------------------------------------------------------------------------------

/** @param {any} session */
async function pullAll(session) {
  let cursor = await readMeta('cursor');
  const first = !cursor;
  let received = 0;
  if (first) publish({ progress: { received, pages: 0, total: null } });
  for (let pages = 1; ; pages += 1) {
    const query = new URLSearchParams({ limit: String(PULL_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    let page;
    try {
      page = await api(`/sync/pull?${query}`, { token: session.token });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'invalid_cursor' && cursor)) throw error;
      cursor = null; // the server no longer knows this cursor: start a fresh full pull
      continue;
    }
    // A first sync says how far it has got, from the first page on: this page and the server's
    // estimate of what follows (`remaining`), before the page is written and drawn.
    if (first) publish({ progress: { received: received + page.changes.length, pages, total: received + page.changes.length + (page.remaining || 0) } });
    await applyPage(page);
    received += page.changes.length;
    if (first) notifyData(false); // a first sync fills the screens page by page
    cursor = page.cursor;
    if (!page.has_more) return;
  }
}

/**
 * A device that has never pulled says "Getting your school's notes" at once (never "All
 * changes sent" over empty screens); the end of the sync (or its failure) clears it.
 * @param {boolean} [justSignedIn] a sign-in just now: say it before anything else is drawn
 */
export async function noteFirstSync(justSignedIn = false) {
  if (justSignedIn || !(await readMeta('cursor'))) {
    if (!status.progress) publish({ progress: { received: 0, pages: 0, total: null } });
  }
}

/**
 * Store one page and its cursor in one transaction (a crash never skips a change).
 * @param {{changes: any[], cursor: string}} page
 */
function applyPage(page) {
  return transact(['meta', 'records'], 'readwrite', async (tx) => {
    let clock = await metaGet(tx, 'clock');
    for (const change of page.changes) {
      if (change.evicted) await evict(tx, change.entity, change.id);
      else clock = await applyChange(tx, change, clock);
    }
    await metaPut(tx, 'clock', clock);
    await metaPut(tx, 'cursor', page.cursor);
  });
}

/**
 * @param {IDBTransaction} tx
 * @param {any} change
 * @param {import('./hlc.js').Clock | undefined} clock
 */
async function applyChange(tx, change, clock) {
  const record = (await recordGet(tx, change.entity, change.id)) || blankRecord(change.entity, change.id, change.created_by);
  record.version = change.version;
  record.fields = change.fields || {};
  record.deleted = Boolean(change.deleted);
  record.created_by = change.created_by;
  record.can = pulledCan(change);
  record.conflicts = change.conflicts || [];
  record.resolved = record.resolved.filter((id) => record.conflicts.some((c) => c.id === id));
  record.fieldVersions = Object.fromEntries(Object.entries(record.fieldVersions).filter(([, v]) => v > change.version));
  const keepLocal = record.pendingSeq || record.problem;
  if (!keepLocal) record.local = {};
  if (change.yjs) takeDocuments(record, change.yjs);
  let seen = clock;
  for (const conflict of record.conflicts) seen = observe(seen, conflict.hlc);
  if (record.deleted && !keepLocal) await recordDelete(tx, record.entity, record.id);
  else await recordPut(tx, record);
  return seen;
}

/**
 * The pulled co-written documents (cotext.js): a field with an edit waiting to be confirmed
 * merges the pulled state into this device's document, so the edit survives and the text
 * shown holds both; any other field takes the server's state.
 * @param {import('./db.js').StoredRecord} record
 * @param {Record<string, string>} pulled
 */
function takeDocuments(record, pulled) {
  const documents = { ...(record.yjs || {}) };
  for (const [name, state] of Object.entries(pulled)) {
    const mine = documents[name];
    if (record.pendingSeq && mine && name in record.local) {
      const merged = mergePulled(fieldKey(record.entity, record.id, name), mine, state);
      documents[name] = merged.state;
      record.local[name] = merged.text;
    } else {
      documents[name] = state;
    }
  }
  record.yjs = documents;
}

/**
 * Forget a record this person may no longer see, but never words still waiting to be sent.
 * @param {IDBTransaction} tx
 * @param {string} entity
 * @param {string} id
 */
async function evict(tx, entity, id) {
  const record = await recordGet(tx, entity, id);
  if (record && !record.pendingSeq && !record.problem) await recordDelete(tx, entity, id);
  if (entity !== 'observation') return;
  for (const child of await childrenGet(tx, id)) {
    if (child.entity === 'note' && !child.pendingSeq && !child.problem) await recordDelete(tx, child.entity, child.id);
  }
}

// ---- triggers --------------------------------------------------------------------------

/** @type {ReturnType<typeof setTimeout> | undefined} */
let soonTimer;

/** A flush shortly (after a change), but never earlier than a pending backoff allows. */
function flushSoon() {
  clearTimeout(soonTimer);
  const wait = Math.max(SOON_MS, (status.nextRetryAt || 0) - Date.now());
  soonTimer = setTimeout(() => flush(), wait);
  refreshCounts();
}

/** The person asked: try now, forgetting any backoff. */
export function syncNow() {
  publish({ attempts: 0, nextRetryAt: null });
  return flush();
}

/**
 * Start the page's triggers: now, after changes, online, visible, every 30 s.
 * @param {Window} win
 */
export function startAutoSync(win) {
  onQueued(flushSoon);
  win.addEventListener('online', () => syncNow());
  win.addEventListener('offline', () => publish({ state: 'offline', error: null }));
  win.document.addEventListener('visibilitychange', () => {
    if (win.document.visibilityState === 'visible') flush();
  });
  win.setInterval(() => {
    if (win.navigator.onLine) flush();
  }, PERIOD_MS);
  readMeta('lastSyncedAt').then((lastSyncedAt) => publish({ lastSyncedAt: lastSyncedAt || null }));
  if (!win.navigator.onLine) publish({ state: 'offline' });
  refreshCounts();
  return flush();
}
