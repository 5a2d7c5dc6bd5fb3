// @ts-check
/**
 * Where sync stands, for the screens: the status (what is waiting, sending, refused) and
 * "records changed" notices, shared with other tabs and the service worker over a
 * BroadcastChannel.
 */

import { countEntries, readRejected } from './db.js';
import { countWaitingPhotos } from './photos.js';

const CHANNEL = 'lessonloop-sync';

/**
 * @typedef {{
 *   state: 'idle' | 'sending' | 'receiving' | 'offline' | 'retrying' | 'signed_out',
 *   pending: number, rejected: number, sending: string[], lastSyncedAt: string | null,
 *   error: string | null, progress: {received: number, pages: number, total?: number | null} | null,
 *   attempts: number, nextRetryAt: number | null, live?: 'open' | 'polling' | null
 * }} SyncStatus
 */

/** @type {SyncStatus} */
export const status = {
  state: 'idle', pending: 0, rejected: 0, sending: [], lastSyncedAt: null, error: null,
  progress: null, attempts: 0, nextRetryAt: null,
};
/** @type {Set<(status: SyncStatus) => void>} */
const statusListeners = new Set();
/** @type {Set<() => void>} */
const dataListeners = new Set();
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
if (channel) {
  channel.onmessage = (event) => {
    if (event.data && event.data.type === 'changed') {
      notifyData(false);
      refreshCounts();
    }
  };
}

/**
 * Follow the sync status (called at once with the current one).
 * @param {(status: SyncStatus) => void} listener
 */
export function onStatus(listener) {
  statusListeners.add(listener);
  listener({ ...status });
  return () => statusListeners.delete(listener);
}

/**
 * Be told when records on this device changed (sent, refused or pulled).
 * @param {() => void} listener
 */
export function onData(listener) {
  dataListeners.add(listener);
  return () => dataListeners.delete(listener);
}

/** @param {Partial<SyncStatus>} patch */
export function publish(patch) {
  Object.assign(status, patch);
  const snapshot = { ...status };
  for (const listener of statusListeners) listener(snapshot);
}

/** @param {boolean} broadcast */
export function notifyData(broadcast) {
  for (const listener of dataListeners) listener();
  if (broadcast && channel) channel.postMessage({ type: 'changed' });
}

/** Re-read how many changes wait (photos whose bytes are still here count too) or need attention. */
export async function refreshCounts() {
  const [entries, photos, rejected] = await Promise.all([countEntries(), countWaitingPhotos(), readRejected()]);
  publish({ pending: entries + photos, rejected: rejected.length });
}
