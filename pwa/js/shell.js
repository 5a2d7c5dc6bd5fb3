// @ts-check
/** The frame around every screen: app bar, sync line, banners and the tab bar. */

import { h, icon, replace } from './dom.js';
import { formatAgo, plural } from './model.js';

/**
 * @param {HTMLElement} el
 * @param {{title: string, back?: string | null, action?: HTMLElement | null}} bar
 */
export function renderAppBar(el, bar) {
  const back = bar.back
    ? h('a', { class: 'icon-button back', href: bar.back, 'aria-label': 'Back' }, icon('back'))
    : h('span', { class: 'brand-mark', 'aria-hidden': 'true' });
  replace(el, back, h('h1', { class: 'app-title' }, bar.title), bar.action || null);
}

const TABS = [
  { route: 'today', href: '#/today', label: 'Today', icon: /** @type {const} */ ('today') },
  { route: 'new', href: '#/new', label: 'New', icon: /** @type {const} */ ('plus') },
  { route: 'learning', href: '#/learning', label: 'My learning', icon: /** @type {const} */ ('learning') },
  { route: 'lead', href: '#/lead', label: 'Lead', icon: /** @type {const} */ ('lead'), leadOnly: true },
  { route: 'settings', href: '#/settings', label: 'Settings', icon: /** @type {const} */ ('settings') },
];

/**
 * @param {HTMLElement} el
 * @param {{current: string, isLead: boolean, hidden: boolean}} state
 */
export function renderTabs(el, state) {
  el.hidden = state.hidden;
  const links = TABS.filter((tab) => !tab.leadOnly || state.isLead).map((tab) =>
    h('a', { class: 'tab', href: tab.href, 'aria-current': tab.route === state.current ? 'page' : null },
      icon(tab.icon), h('span', null, tab.label)));
  replace(el, ...links);
}

/**
 * The permanent line: how many changes wait to be sent, and what sync is doing.
 * @param {HTMLElement} el
 * @param {import('./sync-status.js').SyncStatus} status
 * @param {{online: boolean, now: number, onSyncNow: () => void, onSignIn: () => void}} context
 */
export function renderSyncLine(el, status, context) {
  const n = status.pending;
  const waiting = `${plural(n, 'change')} waiting to be sent`;
  el.dataset.pending = String(n);
  el.dataset.state = status.state;
  el.dataset.synced = status.lastSyncedAt || '';
  el.dataset.live = status.live || '';
  /** @type {any[]} */
  let parts;
  if (status.state === 'signed_out') {
    parts = ['alert', `Your sign-in has ended. Sign in again to send ${plural(n, 'change')}.`,
      h('button', { class: 'link-button', type: 'button', onclick: context.onSignIn }, 'Sign in')];
  } else if (status.progress) {
    parts = firstSyncLine(status.progress);
  } else if (!context.online || status.state === 'offline') {
    parts = ['offline', n ? `Offline · ${waiting}` : 'Offline · everything is kept on this device'];
  } else if (status.state === 'sending') {
    parts = ['sync', n ? `Sending ${plural(n, 'change')}…` : 'Sending…'];
  } else if (status.state === 'retrying') {
    // Nothing waiting yet no answer (the server is down, or WebKit's onLine stays true with no
    // route to it): say so, rather than "All changes sent" (issue 19, docs/browsers.md).
    parts = ['clock', `${n ? waiting : 'Cannot reach the server'} · trying again soon`,
      h('button', { class: 'link-button', type: 'button', onclick: context.onSyncNow }, 'Try now')];
  } else if (n) {
    parts = ['phone', waiting];
  } else {
    const ago = status.lastSyncedAt ? ` · synced ${formatAgo(status.lastSyncedAt, context.now)}` : '';
    parts = ['check', `All changes sent${ago}${status.live === 'open' ? ' · live' : ''}`];
  }
  const [name, text, extra] = parts;
  const attention = status.rejected
    ? h('a', { class: 'attention-link', href: '#/settings' }, `${plural(status.rejected, 'change')} need${status.rejected === 1 ? 's' : ''} attention`)
    : null;
  replace(el, icon(name), h('span', { class: 'sync-text' }, text), extra || null, attention);
}

/**
 * A first sync: "Getting your school’s notes: 1,200 of 42,000" once the first page has said
 * how many there are (a determinate bar), "Getting your school’s notes…" before.
 * @param {NonNullable<import('./sync-status.js').SyncStatus['progress']>} progress
 */
function firstSyncLine(progress) {
  if (progress.total === null || progress.total === undefined) {
    return ['sync', 'Getting your school’s notes…', h('progress', { class: 'sync-progress', 'aria-label': 'First sync' })];
  }
  const total = Math.max(progress.total, progress.received);
  return ['sync', `Getting your school’s notes: ${progress.received.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')}`,
    h('progress', { class: 'sync-progress', 'aria-label': 'First sync', max: String(Math.max(1, total)), value: String(progress.received) })];
}

/**
 * @param {HTMLElement} el
 * @param {{updateWaiting: boolean, pending: number, onUpdate: () => void}} state
 */
export function renderBanners(el, state) {
  if (!state.updateWaiting) {
    replace(el);
    return;
  }
  const why = state.pending
    ? `It will start once your ${plural(state.pending, 'change')} ${state.pending === 1 ? 'is' : 'are'} sent, or now if you like: nothing is lost either way.`
    : 'It starts when you next open the app.';
  replace(el, h('div', { class: 'banner', role: 'region', 'aria-label': 'Update' },
    h('p', null, h('strong', null, 'A new version of Lesson Loop is ready. '), why),
    h('button', { class: 'button small', type: 'button', onclick: state.onUpdate }, 'Update now')));
}
