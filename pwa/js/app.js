// @ts-check
/**
 * Lesson Loop in the browser: open the local database, route between screens (after the #),
 * keep the sync line and banners current, and start sync and the update watcher.
 */

import { countEntries, openDb, readRecord } from './db.js';
import { h, replace, toast } from './dom.js';
import { startDrafts } from './drafts.js';
import { current, stage } from './model.js';
import { checkReminders } from './reminders.js';
import { currentSession } from './session.js';
import { noteFirstSync, onData, onStatus, startAutoSync, syncNow } from './sync.js';
import { settleAll } from './undo.js';
import { applyIfSafe, applyUpdate, onUpdateWaiting, startUpdates } from './updates.js';
import { renderAppBar, renderBanners, renderSyncLine, renderTabs } from './shell.js';

/**
 * @typedef {{
 *   title: string, tab: string, node: HTMLElement, back?: string, hideTabs?: boolean,
 *   action?: HTMLElement, focus?: () => void, refresh?: () => Promise<void>,
 *   leave?: () => Promise<void> | void, busy?: () => boolean
 * }} Screen
 * @typedef {{
 *   session: import('./session.js').Session, status: import('./sync-status.js').SyncStatus, online: boolean,
 *   isLead: boolean, navigate: (hash: string) => void, toast: typeof toast,
 *   missing: (message: string) => Screen, signedIn: (session: import('./session.js').Session) => void,
 *   signedOut: () => void
 * }} Ctx
 */

/**
 * Each screen's module is loaded when the screen is first shown (all are in the service
 * worker's cache), so starting the app parses only what its first screen needs.
 * @type {Record<string, () => Promise<(ctx: Ctx, params: any) => Promise<Screen>>>}
 */
const SCREENS = {
  today: () => import('./screens/today.js').then((m) => m.todayScreen),
  new: () => import('./screens/new-observation.js').then((m) => m.newObservationScreen),
  capture: () => import('./screens/capture.js').then((m) => m.captureScreen),
  review: () => import('./screens/review.js').then((m) => m.reviewScreen),
  learning: () => import('./screens/my-learning.js').then((m) => m.myLearningScreen),
  lead: () => import('./screens/lead.js').then((m) => m.leadScreen),
  settings: () => import('./screens/settings.js').then((m) => m.settingsScreen),
  erase: () => import('./screens/rights.js').then((m) => m.eraseScreen),
  'school-security': () => import('./screens/school-security.js').then((m) => m.schoolSecurityScreen),
  search: () => import('./screens/search.js').then((m) => m.searchScreen), // issue 12
  signin: () => import('./screens/sign-in.js').then((m) => m.signInScreen),
  // School sign-in (issue 14): the provider's way back, and the admin's set-up.
  'school-sign-in': () => import('./screens/school-sign-in.js').then((m) => m.schoolSignInScreen),
  'sign-in-setup': () => import('./screens/school-sign-in.js').then((m) => m.signInSetupScreen),
};
const REFRESH_DELAY_MS = 150;
// How long a reminder's link waits for a sync when its observation is not on the device yet.
const LINK_SYNC_WAIT_MS = 8_000;

const el = {
  app: /** @type {HTMLElement} */ (document.getElementById('app')),
  bar: /** @type {HTMLElement} */ (document.getElementById('app-bar')),
  sync: /** @type {HTMLElement} */ (document.getElementById('sync-line')),
  banners: /** @type {HTMLElement} */ (document.getElementById('banners')),
  main: /** @type {HTMLElement} */ (document.getElementById('main')),
  tabs: /** @type {HTMLElement} */ (document.getElementById('tab-bar')),
};

/** @type {Ctx} */
const ctx = {
  session: /** @type {any} */ (null),
  status: { state: 'idle', pending: 0, rejected: 0, sending: [], lastSyncedAt: null, error: null, progress: null, attempts: 0, nextRetryAt: null, live: null },
  online: navigator.onLine,
  isLead: false,
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  toast,
  missing: (message) => ({ title: 'Not found', tab: '', back: '#/today', node: h('div', { class: 'screen' }, h('p', { class: 'notice' }, message), h('a', { class: 'button wide', href: '#/today' }, 'Back to Today')) }),
  signedIn: (session) => {
    setSession(session);
    noteFirstSync(true);
    startSyncOnce();
    syncNow();
    // Signed in again on a device with reminders on: this new sign-in's server record needs them.
    checkReminders(session, { resend: true }).catch(() => undefined);
    ctx.navigate('#/today');
  },
  signedOut: () => {
    setSession(null);
    location.hash = '#/signin';
    location.reload();
  },
};

/** @param {import('./session.js').Session | null | undefined} session */
function setSession(session) {
  ctx.session = /** @type {any} */ (session || null);
  ctx.isLead = Boolean(session && (session.user.role === 'lead' || session.user.role === 'admin'));
}

let syncStarted = false;
function startSyncOnce() {
  if (syncStarted) return;
  syncStarted = true;
  startAutoSync(window);
}

/** @type {Screen | null} */
let screen = null;
let routeCount = 0;
let updateWaiting = false;

function parseHash() {
  const [name, id] = location.hash.replace(/^#\/?/, '').split('/');
  return { name: name || 'today', params: { id: id ? decodeURIComponent(id) : '' } };
}

/**
 * Where an observation opens: capture while it is being captured, else its review.
 * @param {string} id
 */
async function observationScreen(id) {
  let record = await readRecord('observation', id);
  if (!record && ctx.online) {
    // A reminder can arrive before this device has synced what it is about.
    await Promise.race([syncNow(), new Promise((resolve) => setTimeout(resolve, LINK_SYNC_WAIT_MS))]);
    record = await readRecord('observation', id);
  }
  if (!record) return 'review'; // which says plainly that it is not on this device yet
  const where = stage(current(record), Date.now());
  return where === 'upcoming' || where === 'in_progress' ? 'capture' : 'review';
}

/**
 * The links in reminders (README "The message": `#/observations/<id>`, `#/next-steps/<id>`,
 * `#/focuses/<id>`) and the screens they open. An observation's link becomes that screen's
 * own address (`hash`); a step or focus opens My learning with it picked out.
 * @param {string} name
 * @param {{id: string}} params
 * @returns {Promise<{name: string, params: Record<string, string>, hash?: string}>}
 */
async function followLink(name, params) {
  if (name === 'observations' && params.id) {
    const screenName = await observationScreen(params.id);
    return { name: screenName, params, hash: `#/${screenName}/${encodeURIComponent(params.id)}` };
  }
  if (name === 'next-steps') return { name: 'learning', params: { step: params.id } };
  if (name === 'focuses') return { name: 'learning', params: { focus: params.id } };
  return { name, params };
}

/** @param {string} url a link of the app (from a reminder the service worker was asked to open) */
function openLink(url) {
  const target = new URL(url, location.href);
  if (target.origin === location.origin) ctx.navigate(target.hash || '#/today');
}

async function route() {
  const token = ++routeCount;
  let { name, params } = /** @type {{name: string, params: Record<string, string>}} */ (parseHash());
  if (name === 'school-sign-in') { /* the provider's way back: signed in or not */ }
  else if (!ctx.session || ctx.session.ended) name = 'signin';
  else {
    const link = await followLink(name, /** @type {{id: string}} */ (params));
    if (link.hash && token === routeCount) history.replaceState(null, '', link.hash);
    ({ name, params } = link);
    if (name === 'signin' || !SCREENS[name]) name = 'today';
  }
  performance.mark(`route-${name}`);
  await settleAll(); // a choice still open to Undo is made when its screen is left
  if (screen && screen.leave) await screen.leave();
  const make = await SCREENS[name]();
  const next = await make(ctx, params);
  if (token !== routeCount) {
    if (next.leave) await next.leave();
    return;
  }
  screen = next;
  renderAppBar(el.bar, { title: next.title, back: next.back || null, action: next.action || null });
  renderTabs(el.tabs, { current: next.tab, isLead: ctx.isLead, hidden: Boolean(next.hideTabs) || !ctx.session });
  el.app.dataset.screen = name;
  replace(el.main, next.node);
  el.main.dataset.ready = name;
  document.title = `${next.title} · Lesson Loop`;
  window.scrollTo(0, 0);
  if (next.focus) next.focus();
  else if (routeCount > 1) el.main.focus({ preventScroll: true });
  performance.mark(`ready-${name}`);
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let refreshTimer;
let redraws = 0;

/**
 * Redraw the screen with fresh data (drafts.js gives what is being typed back to its field).
 * `main[data-redraws]` counts the redraws done (a test waits on it: tests/pwa/test_nothing_lost.py).
 */
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    if (!screen || !screen.refresh) return;
    await screen.refresh();
    redraws += 1;
    el.main.dataset.redraws = String(redraws);
  }, REFRESH_DELAY_MS);
}

function drawSyncLine() {
  renderSyncLine(el.sync, ctx.status, {
    online: ctx.online, now: Date.now(),
    onSyncNow: () => { syncNow(); },
    onSignIn: () => { location.hash = '#/signin'; route(); },
  });
  el.sync.hidden = !ctx.session;
  renderBanners(el.banners, { updateWaiting, pending: ctx.status.pending, onUpdate: applyUpdate });
}

/** Safe to let a new version take over: nothing unsent, nobody typing or filling a form. */
async function safeToUpdate() {
  const active = document.activeElement;
  const typing = Boolean(active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  const busy = typing || (screen && screen.busy ? screen.busy() : false);
  return !busy && (await countEntries()) === 0;
}

/** What is typed survives every redraw (drafts.js); a choice waiting for Undo is made when the app is left. */
async function keepInput() {
  await startDrafts(el.main);
  window.addEventListener('pagehide', () => { settleAll(); });
}

async function boot() {
  // Fetch the first screen's modules while the database opens.
  const wanted = SCREENS[parseHash().name];
  if (wanted) wanted().catch(() => undefined);
  try {
    await openDb();
  } catch (error) {
    replace(el.main, h('p', { class: 'notice' }, 'This browser will not let Lesson Loop store notes (private browsing may be on). Open it in a normal window.'));
    throw error;
  }
  await keepInput();
  setSession(await currentSession());
  if (ctx.session && !ctx.session.ended) await noteFirstSync(); // never "All changes sent" before the first sync
  onStatus((status) => {
    const sendingChanged = status.sending.join() !== ctx.status.sending.join();
    const wasBusy = ctx.status.state !== 'idle';
    ctx.status = status;
    drawSyncLine();
    if (sendingChanged) refreshSoon();
    if (wasBusy && status.state === 'idle' && status.pending === 0) applyIfSafe(safeToUpdate);
  });
  onData(refreshSoon);
  onUpdateWaiting((waiting) => { updateWaiting = waiting; drawSyncLine(); });
  const connectivity = () => { ctx.online = navigator.onLine; drawSyncLine(); refreshSoon(); };
  for (const name of ['online', 'offline']) window.addEventListener(name, connectivity);
  setInterval(drawSyncLine, 10_000); // "synced just now" stays true to the last pull
  window.addEventListener('hashchange', route);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'open') openLink(String(event.data.url));
    });
  }
  await route();
  // The first screen comes first; sending, receiving and update checks start after it.
  if (ctx.session && !ctx.session.ended) {
    startSyncOnce();
    if (ctx.online) checkReminders(ctx.session).catch(() => undefined);
  }
  startUpdates(safeToUpdate);
}

boot();
