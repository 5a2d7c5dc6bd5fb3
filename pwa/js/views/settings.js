// @ts-check
/**
 * Settings: changes that need attention (first, when there are any), account, sync, storage,
 * reminders (views/reminders.js), the app version and updates, signing out. Each section is
 * one function in SECTIONS, drawn in order.
 */

import { empty, h, icon, section } from '../dom.js';
import { formatAgo, formatBytes, plural } from '../model.js';
import { remindersSection } from './reminders.js';

/**
 * @typedef {{key: number, what: string, text: string, error: string}} AttentionItem
 * @typedef {{
 *   user: {name: string, email: string, role: string}, pending: number, attention: AttentionItem[],
 *   lastSyncedAt: string | null, storage: {persisted: boolean, usage: number | null, quota: number | null, canAsk?: boolean},
 *   version: string, updateWaiting: boolean, online: boolean, now: number,
 *   reminders: import('./reminders.js').RemindersData
 * }} SettingsData
 * @typedef {{
 *   onSyncNow: () => void, onRetry: (key: number) => void, onDiscard: (key: number) => void,
 *   onPersist: () => void, onUpdate: () => void, onSignOut: () => void
 * } & import('./reminders.js').RemindersActions} SettingsActions
 */

const ROLE_NAMES = /** @type {Record<string, string>} */ ({ teacher: 'Teacher', lead: 'Lead', admin: 'School admin (and lead)' });

/**
 * @param {string} term
 * @param {import('../dom.js').Child} value
 */
function row(term, value) {
  return h('div', { class: 'def' }, h('dt', null, term), h('dd', null, value));
}

// Photos fill a phone quickly: warn when 80% of what the browser allows is used.
const NEARLY_FULL = 'This device is nearly out of space for Lesson Loop. Connect so your photos and notes are sent; sent photos can then be cleared by signing out and in again.';
// issue 19: where the browser cannot be asked to keep the data (WebKit, so every iPhone browser).
const NO_ASK = 'This browser cannot be asked to keep it. On an iPhone, add Lesson Loop to the Home Screen (Share, then Add to Home Screen) and open it from there: Safari may clear a website’s data after some days unused, but not a Home Screen app’s.';
/** @param {number | null} usage @param {number | null} quota */
const nearlyFull = (usage, quota) => Boolean(quota && usage !== null && usage / quota >= 0.8);

/** @type {((data: SettingsData, actions: SettingsActions) => HTMLElement | null)[]} */
export const SECTIONS = [
  function attention(data, actions) {
    if (!data.attention.length) return null;
    return section(`Needs your attention (${data.attention.length})`,
      h('p', null, 'The server could not accept these changes. Your words are kept here: try again, or let them go.'),
      h('ul', { class: 'cards' }, data.attention.map((item) => h('li', { class: 'card attention' },
        h('span', { class: 'card-kicker' }, item.what),
        item.text ? h('p', { class: 'note-text' }, item.text) : null,
        h('p', { class: 'problem' }, icon('alert'), item.error),
        h('div', { class: 'row-actions' },
          h('button', { type: 'button', class: 'button small', onclick: () => actions.onRetry(item.key) }, 'Try again'),
          h('button', { type: 'button', class: 'button small quiet', onclick: () => actions.onDiscard(item.key) }, 'Let it go'))))));
  },
  function account(data) {
    return section('Account', h('dl', { class: 'defs' },
      row('Name', data.user.name), row('Email', data.user.email), row('Role', ROLE_NAMES[data.user.role] || data.user.role)));
  },
  function sync(data, actions) {
    return section('Sending and receiving', h('dl', { class: 'defs' },
      row('Waiting to be sent', plural(data.pending, 'change')),
      row('Last synced', data.lastSyncedAt ? formatAgo(data.lastSyncedAt, data.now) : 'Not yet')),
    h('button', { type: 'button', class: 'button wide', disabled: !data.online, onclick: actions.onSyncNow }, icon('sync'), 'Sync now'),
    data.online ? null : h('p', { class: 'hint' }, 'You are offline. Your changes are kept on this device and sent when you are back online.'));
  },
  function storage(data, actions) {
    const { persisted, usage, quota } = data.storage;
    return section('Storage on this device', h('dl', { class: 'defs' },
      row('Kept safe', persisted ? 'Yes. The browser will not clear Lesson Loop’s data to free space.' : 'Not promised. The browser may clear data when space runs low; send your changes often.'),
      row('Space used', quota ? `${formatBytes(usage)} of ${formatBytes(quota)} available` : formatBytes(usage))),
    nearlyFull(usage, quota) ? h('p', { class: 'notice' }, icon('alert'), NEARLY_FULL) : null, // photos (issue 16)
    // issue 19: WebKit cannot be asked; say what keeps the data instead (docs/browsers.md).
    persisted ? null : data.storage.canAsk === false ? h('p', { class: 'hint storage-no-ask' }, NO_ASK)
      : h('button', { type: 'button', class: 'button wide', onclick: actions.onPersist }, 'Ask the browser to keep it safe'));
  },
  function reminders(data, actions) {
    return remindersSection(data.reminders, actions);
  },
  function app(data, actions) {
    return section('App', h('dl', { class: 'defs' },
      row('Version', h('code', null, data.version)),
      row('Updates', data.updateWaiting ? 'A new version is ready.' : 'Up to date.')),
    data.updateWaiting ? h('button', { type: 'button', class: 'button primary wide', onclick: actions.onUpdate }, 'Update now') : null,
    data.updateWaiting && data.pending ? h('p', { class: 'hint' }, `Your ${plural(data.pending, 'unsent change')} stay safe on this device through the update.`) : null);
  },
  function signOut(data, actions) {
    return section('Sign out',
      data.pending ? h('p', { class: 'notice' }, `${plural(data.pending, 'change')} have not been sent yet. Signing out now would lose them: connect and let them send first.`)
        : h('p', null, 'Signing out removes Lesson Loop’s data from this device. Everything you sent stays on the school’s server.'),
      h('button', { type: 'button', class: 'button danger wide', onclick: actions.onSignOut }, data.pending ? 'Sign out and lose unsent changes' : 'Sign out'));
  },
];

/**
 * @param {SettingsData} data
 * @param {SettingsActions} actions
 */
export function renderSettings(data, actions) {
  const sections = SECTIONS.map((draw) => draw(data, actions)).filter(Boolean);
  return h('div', { class: 'screen settings' }, sections.length ? sections : empty('Nothing to set.'));
}
