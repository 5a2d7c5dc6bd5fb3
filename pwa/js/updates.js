// @ts-check
/**
 * The service worker and app updates. A new version installs in the background and waits.
 * It takes over (and the page reloads into it) only when nothing is waiting to be sent and
 * the person is not typing, or when the person taps "Update now". Either way the outbox stays
 * in IndexedDB, which the new version opens (and upgrades, if its schema is newer).
 */

/** @type {ServiceWorkerRegistration | null} */
let registration = null;
let reloading = false;
/** @type {Set<(waiting: boolean) => void>} */
const listeners = new Set();

/** @param {(waiting: boolean) => void} listener */
export function onUpdateWaiting(listener) {
  listeners.add(listener);
  listener(isWaiting());
  return () => listeners.delete(listener);
}

export function isWaiting() {
  return Boolean(registration && registration.waiting && navigator.serviceWorker.controller);
}

function announce() {
  const waiting = isWaiting();
  for (const listener of listeners) listener(waiting);
}

const WORKERS = ['/sw.js', '/sw-classic.js'];
// The page runs under Trusted Types (no HTML or script from strings); the one script URL it
// hands the browser is its own service worker.
const policy = /** @type {any} */ (globalThis).trustedTypes?.createPolicy('lessonloop-sw', {
  createScriptURL: (/** @type {string} */ url) => {
    if (!WORKERS.includes(url)) throw new TypeError(`${url} is not Lesson Loop's service worker.`);
    return url;
  },
});

/** @param {string} url */
function workerUrl(url) {
  return policy ? policy.createScriptURL(url) : url;
}

/** Register the service worker (as a module where the browser can; classic otherwise). */
async function register() {
  try {
    return await navigator.serviceWorker.register(workerUrl('/sw.js'), { type: 'module', updateViaCache: 'none' });
  } catch {
    return navigator.serviceWorker.register(workerUrl('/sw-classic.js'), { updateViaCache: 'none' });
  }
}

/**
 * Start watching for updates.
 * @param {() => Promise<boolean>} safeToApply true when nothing is unsent and no one is typing
 */
export async function startUpdates(safeToApply) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!reloading) return; // the first install taking control: nothing to reload
    window.location.reload();
  });
  try {
    registration = await register();
  } catch (error) {
    console.warn('Lesson Loop could not install its offline support:', error);
    return;
  }
  const reg = registration;
  const watch = (/** @type {ServiceWorker | null} */ worker) => {
    if (!worker) return;
    worker.addEventListener('statechange', async () => {
      if (worker.state !== 'installed') return;
      announce();
      await applyIfSafe(safeToApply);
    });
  };
  watch(reg.installing);
  reg.addEventListener('updatefound', () => watch(reg.installing));
  announce();
  await applyIfSafe(safeToApply);
  const check = () => reg.update().catch(() => undefined);
  check();
  window.addEventListener('online', check);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
  setInterval(check, 30 * 60_000);
}

/**
 * Take the waiting version now if it is safe.
 * @param {() => Promise<boolean>} safeToApply
 */
export async function applyIfSafe(safeToApply) {
  if (isWaiting() && (await safeToApply())) applyUpdate();
}

/** Let the waiting version take over; the page reloads into it. */
export function applyUpdate() {
  const waiting = registration && registration.waiting;
  if (!waiting) return;
  reloading = true;
  waiting.postMessage({ type: 'skip-waiting' });
}

/** Look for a new version now. */
export function checkForUpdate() {
  return registration ? registration.update().catch(() => undefined) : Promise.resolve();
}

/** The version this page runs (the server writes it into index.html). */
export function appVersion() {
  const meta = document.querySelector('meta[name="app-version"]');
  return (meta && meta.getAttribute('content')) || 'unknown';
}
