// Lesson Loop's service worker: precache the versioned app shell, serve it with no network,
// wait for the page's go-ahead before taking over (pwa/js/updates.js decides when), and send
// the outbox when Background Sync fires where the browser has it (never relied on: the page
// flushes on its own triggers too).
//
// The server fills in VERSION (a hash of the app's files) and SHELL (every versioned file).
// Lines marked module-only are left out of /sw-classic.js for browsers without module workers.
import { flushFromWorker } from '/app/@VERSION@/js/sync.js'; // module-only
import { resubscribeFromWorker } from '/app/@VERSION@/js/reminders.js'; // module-only

const VERSION = '@VERSION@';
const CACHE = `lessonloop-${VERSION}`;
/** @type {string[]} */
const SHELL = "@SHELL@";
const APP_PAGES = new Set(['/', '/index.html']);
/** @type {Promise<Cache> | null} */
let opened = null;

self.addEventListener('install', (event) => {
  // Where the browser can, it serves this version's files straight from the cache without
  // waking this script for each of them (static routing); elsewhere the fetch handler does.
  if (event.addRoutes) {
    const source = { cacheName: CACHE };
    event.addRoutes([
      { condition: { urlPattern: `/app/${VERSION}/*` }, source },
      { condition: { urlPattern: '/', requestMode: 'navigate' }, source },
      { condition: { urlPattern: '/manifest.webmanifest' }, source },
    ]).catch(() => undefined);
  }
  event.waitUntil(precache());
});

async function precache() {
  const cache = await caches.open(CACHE);
  // 'reload' bypasses the HTTP cache, so a shell is never stored half old, half new.
  await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
}

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()));
});

async function dropOldCaches() {
  const names = await caches.keys();
  const old = names.filter((name) => name.startsWith('lessonloop-') && name !== CACHE);
  await Promise.all(old.map((name) => caches.delete(name)));
}

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'skip-waiting') {
    self.skipWaiting();
  } else if (type === 'version' && event.source) {
    event.source.postMessage({ type: 'version', version: VERSION });
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The API always goes to the network: the app keeps its own data in IndexedDB.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    if (APP_PAGES.has(url.pathname)) event.respondWith(fromCache('/', request));
    return;
  }
  event.respondWith(fromCache(url.pathname, request));
});

/**
 * The cached copy, or the network for anything not in the shell.
 * @param {string} key
 * @param {Request} request
 */
async function fromCache(key, request) {
  opened = opened || caches.open(CACHE);
  const hit = await (await opened).match(key, { ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener('sync', (event) => { if (event.tag === 'outbox') event.waitUntil(flushFromWorker()); }); // module-only

// Web Push ('push' and 'notificationclick' listeners) belongs below this line.
// Reminders (README "The message"): each message shows one notification, at most once per id
// (a push service may deliver a re-sent message twice); a tap opens its screen in the app.
// Both work in the classic worker too: they need no module. Chromium never fires
// 'pushsubscriptionchange'; the page checks the subscription at start as well (js/reminders.js).
const SHOWN = 'reminders-shown'; // not 'lessonloop-': activate keeps it across versions
const SHOWN_KEEP = 300;
const ICON = `/app/${VERSION}/icons/icon-192.png`;
const BADGE = `/app/${VERSION}/icons/badge-96.png`;
/** @type {Set<string>} ids being shown by this worker now (two deliveries at once) */
const showing = new Set();

self.addEventListener('push', (event) => event.waitUntil(showReminder(event.data)));

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openReminder(event.notification.data));
});

self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(resubscribeFromWorker(event))); // module-only

/**
 * Show the message's notification, unless this id was shown already.
 * @param {{json: () => any} | null} data
 */
async function showReminder(data) {
  let message = null;
  try {
    message = data && data.json();
  } catch {
    // not ours to read: the fallback below still tells the person something arrived
  }
  if (!message || typeof message.title !== 'string') {
    return self.registration.showNotification('Lesson Loop', { body: 'Open Lesson Loop to see what is new.', icon: ICON, badge: BADGE, data: { url: '/#/' } });
  }
  const id = message.id === undefined || message.id === null ? null : String(message.id);
  if (id !== null && (showing.has(id) || (await wasShown(id)))) return undefined;
  if (id !== null) showing.add(id);
  try {
    await self.registration.showNotification(message.title, {
      body: message.body || '', tag: message.tag || undefined, icon: ICON, badge: BADGE,
      data: { url: message.url || '/#/', id: message.id },
    });
    if (id !== null) await rememberShown(id);
  } finally {
    if (id !== null) showing.delete(id);
  }
  return undefined;
}

/** @param {string} id */
async function wasShown(id) {
  const cache = await caches.open(SHOWN);
  return Boolean(await cache.match(`/reminders/shown/${encodeURIComponent(id)}`));
}

/** Remember an id, keeping only the newest few hundred (keys() lists oldest first). */
async function rememberShown(/** @type {string} */ id) {
  const cache = await caches.open(SHOWN);
  await cache.put(`/reminders/shown/${encodeURIComponent(id)}`, new Response(''));
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - SHOWN_KEEP)).map((key) => cache.delete(key)));
}

/**
 * Open the reminder's screen: in the app's open window if there is one, else a new window.
 * @param {{url?: string} | null} data
 */
async function openReminder(data) {
  const target = new URL((data && data.url) || '/#/', self.location.origin);
  const url = target.origin === self.location.origin ? target.href : `${self.location.origin}/#/`;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => APP_PAGES.has(new URL(client.url).pathname));
  if (!open) return self.clients.openWindow(url);
  try {
    await open.focus();
  } catch {
    // a browser may refuse focus (no tap behind the event); the window still goes there
  }
  try {
    return await open.navigate(url);
  } catch {
    open.postMessage({ type: 'open', url }); // a window this worker does not control
    return undefined;
  }
}
