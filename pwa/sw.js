// Lesson Loop's service worker: precache the versioned app shell, serve it with no network,
// wait for the page's go-ahead before taking over (pwa/js/updates.js decides when), and send
// the outbox when Background Sync fires where the browser has it (never relied on: the page
// flushes on its own triggers too).
//
// The server fills in VERSION (a hash of the app's files) and SHELL (every versioned file).
// Lines marked module-only are left out of /sw-classic.js for browsers without module workers.
import { flushFromWorker } from '/app/@VERSION@/js/sync.js'; // module-only

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
