// @ts-check
/**
 * Partner notes live (issue 12). While an observation is open on Capture or Review and the phone
 * is online (and the app visible), read the server's "something changed" stream
 * (`GET /api/v1/sync/events`, README "Sync extensions") and pull when it says `changed`.
 *
 * - `fetch`, not EventSource: EventSource cannot send the bearer header.
 * - Pull once on every (re)connect (nothing between two streams is missed), and send
 *   `Last-Event-ID` with the last version heard.
 * - A stream ends after ~55 s by design: reconnect after its `retry:` delay. An error (no
 *   answer, 5xx, a cut) backs off 1 s, 2 s, 4 s … 60 s with jitter, and meanwhile pulls on an
 *   adaptive short interval: 3 s, doubling while the pulls bring nothing, back to 3 s when one
 *   brings something, at most 30 s. A stream that opens again ends the fallback.
 * - `signed_out` (the sign-in ended at the server) or a 401: stop; sync then says so.
 * - Stop when the screen is left, the phone goes offline or the app is hidden; start again when
 *   it comes back.
 * The sync line's "synced …" comes from sync.js, written only after a pull really ran.
 */

import { readMeta } from './db.js';
import { flush } from './sync.js';
import { publish } from './sync-status.js';

const PATH = '/api/v1/sync/events';
const RETRY_DEFAULT_MS = 3_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
const POLL_MIN_MS = 3_000;
const POLL_MAX_MS = 30_000;

/** Tests (and the bench) may read how the channel stands. @type {{state: string, streams: number, events: number, polls: number}} */
export const liveInfo = { state: 'stopped', streams: 0, events: 0, polls: 0 };

/**
 * One SSE block's fields ("event", "data", "id", "retry").
 * @param {string} block
 */
export function parseBlock(block) {
  /** @type {Record<string, string>} */
  const fields = {};
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields[name] = name in fields && name === 'data' ? `${fields[name]}\n${value}` : value;
  }
  return fields;
}

/** @param {number} attempt */
function backoff(attempt) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(undefined); }, { once: true });
  });
}

/**
 * @typedef {{lastId: string | null, retryMs: number, attempt: number, signedOut: boolean,
 *   pollTimer: ReturnType<typeof setTimeout> | undefined, pollMs: number}} Channel
 */

/**
 * Read one stream until it ends; true when it opened (the server answered 200).
 * @param {Channel} ch
 * @param {string} token
 * @param {AbortSignal} signal
 */
async function readStream(ch, token, signal) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
  if (ch.lastId) headers['Last-Event-ID'] = ch.lastId;
  const response = await fetch(PATH, { headers, cache: 'no-store', credentials: 'omit', signal });
  if (response.status === 401) {
    ch.signedOut = true;
    flush(); // which meets the 401 too and says the sign-in ended
  }
  if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
  liveInfo.streams += 1;
  setState(ch, 'open');
  flush(); // on every (re)connect: whatever changed while no stream was open
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      onBlock(ch, parseBlock(buffer.slice(0, end)));
      buffer = buffer.slice(end + 2);
    }
  }
}

/**
 * @param {Channel} ch
 * @param {Record<string, string>} block
 */
function onBlock(ch, block) {
  if (block.retry && /^\d+$/.test(block.retry)) ch.retryMs = Number(block.retry);
  if (block.id) ch.lastId = block.id;
  if (block.event === 'changed') {
    liveInfo.events += 1;
    flush();
  } else if (block.event === 'signed_out') {
    ch.signedOut = true;
    flush(); // which meets the 401 and says the sign-in ended
  }
}

/**
 * @param {Channel} ch
 * @param {string} state
 */
function setState(ch, state) {
  liveInfo.state = state;
  if (state !== 'polling') stopPolling(ch);
  publish({ live: state === 'open' || state === 'polling' ? state : null });
}

/** @param {Channel} ch */
function stopPolling(ch) {
  clearTimeout(ch.pollTimer);
  ch.pollTimer = undefined;
}

/**
 * The fallback while the stream fails: pull, then wait longer while nothing comes.
 * @param {Channel} ch
 */
function startPolling(ch) {
  if (ch.pollTimer !== undefined) return;
  ch.pollMs = POLL_MIN_MS;
  const tick = async () => {
    const before = await readMeta('cursor');
    liveInfo.polls += 1;
    await flush();
    const moved = (await readMeta('cursor')) !== before; // an idle pull keeps its cursor
    ch.pollMs = moved ? POLL_MIN_MS : Math.min(POLL_MAX_MS, ch.pollMs * 2);
    if (ch.pollTimer !== undefined) ch.pollTimer = setTimeout(tick, ch.pollMs);
  };
  ch.pollTimer = setTimeout(tick, ch.pollMs);
}

/**
 * Keep a stream open until `signal` aborts: reconnect after `retry:`, back off on errors.
 * @param {Channel} ch
 * @param {string} token
 * @param {AbortSignal} signal
 */
async function run(ch, token, signal) {
  while (!signal.aborted && !ch.signedOut) {
    try {
      await readStream(ch, token, signal);
      ch.attempt = 0;
      if (!signal.aborted) await pause(ch.retryMs, signal);
    } catch {
      if (signal.aborted || ch.signedOut) break;
      ch.attempt += 1;
      setState(ch, 'polling');
      startPolling(ch);
      await pause(backoff(ch.attempt), signal);
    }
  }
  if (ch.signedOut) setState(ch, 'signed_out'); // a stop() by the screen says so itself
}

/**
 * Follow the school's changes while a screen is open; returns the function that stops it.
 * @param {{token: string}} session
 * @param {Window} [win]
 */
export function followChanges(session, win = window) {
  /** @type {Channel} */
  const ch = { lastId: null, retryMs: RETRY_DEFAULT_MS, attempt: 0, signedOut: false, pollTimer: undefined, pollMs: POLL_MIN_MS };
  /** @type {AbortController | null} */
  let controller = null;
  const wanted = () => win.navigator.onLine && win.document.visibilityState !== 'hidden';
  const start = () => {
    if (controller || !wanted() || ch.signedOut) return;
    const mine = new AbortController();
    controller = mine;
    run(ch, session.token, mine.signal).finally(() => { if (controller === mine) controller = null; });
  };
  const stop = () => {
    if (controller) controller.abort();
    controller = null;
    setState(ch, 'stopped');
  };
  const check = () => (wanted() ? start() : stop());
  win.addEventListener('online', check);
  win.addEventListener('offline', check);
  win.document.addEventListener('visibilitychange', check);
  start();
  return () => {
    win.removeEventListener('online', check);
    win.removeEventListener('offline', check);
    win.document.removeEventListener('visibilitychange', check);
    stop();
  };
}
