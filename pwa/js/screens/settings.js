// @ts-check
/** The Settings screen's data and actions. */

import { ApiError, NetworkError } from '../api.js';
import { readMeta, readRecord, readRejected } from '../db.js';
import { KINDS, current } from '../model.js';
import { discardRejected, retryRejected } from '../outbox.js';
import {
  currentSubscription, fetchNotificationSettings, keptNotificationSettings, permission, reminderSupport,
  saveNotificationSettings, turnOffReminders, turnOnReminders, watchPermission,
} from '../reminders.js';
import { requestPersistence, signOut, storageReport } from '../session.js';
import { syncNow } from '../sync.js';
import { appVersion, applyUpdate, isWaiting } from '../updates.js';
import { renderSettings } from '../views/settings.js';
import { myData } from './rights.js';
import { signInSetupLink } from './school-sign-in.js';
import { secondFactor } from './second-factor.js';
import { phrasesSection } from './quick-phrases.js';

const ENTITY_WORDS = /** @type {Record<string, string>} */ ({
  note: 'A note', observation: 'An observation', next_step: 'A next step', focus: 'A focus', lookfor: 'A look-for',
});

/**
 * Where reminders stand here. `fresh`: the server's settings, read by this screen just now
 * (its `device_subscribed` is the truth); otherwise the settings kept from last time.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../reminders.js').NotificationSettings | null} fresh
 * @returns {Promise<import('../views/reminders.js').RemindersData>}
 */
async function loadReminders(ctx, fresh) {
  const support = reminderSupport();
  const [subscription, wanted, kept] = await Promise.all([
    currentSubscription().catch(() => null), readMeta('reminders'), fresh ? fresh : keptNotificationSettings()]);
  /** @type {import('../views/reminders.js').ReminderState} */
  let state = support === 'supported' ? 'off' : support;
  if (support === 'supported' && permission() === 'denied') state = 'blocked';
  else if (support === 'supported' && subscription && permission() === 'granted') {
    const serverHasIt = fresh ? fresh.device_subscribed : Boolean(wanted);
    if (serverHasIt) state = 'on';
  }
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // The browser asks only while it has no answer yet; after a yes, turning on just subscribes.
  const willAsk = support === 'supported' && permission() === 'default';
  return { state, online: ctx.online, willAsk, settings: kept, browserZone };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../reminders.js').NotificationSettings | null} fresh
 */
async function load(ctx, fresh) {
  const [rejected, storage, lastSyncedAt, reminders] = await Promise.all([
    readRejected(), storageReport(), readMeta('lastSyncedAt'), loadReminders(ctx, fresh)]);
  const attention = [];
  for (const item of rejected) {
    const fields = item.entry.fields || {};
    let what = ENTITY_WORDS[item.entry.entity] || 'A change';
    if (item.entry.entity === 'observation' && fields.kind) what = `${what} (${KINDS[/** @type {keyof typeof KINDS} */ (fields.kind)]})`;
    if (item.entry.entity === 'note' && fields.observation_id) {
      const parent = await readRecord('observation', fields.observation_id);
      if (parent) what = `A note in ${current(parent).title}`;
    }
    const text = fields.text || fields.title || fields.strengths || fields.reflection || fields.wonderings || '';
    attention.push({ key: item.key, what, text: String(text), error: item.error.message });
  }
  const user = ctx.session.user;
  return {
    user: { name: user.display_name, email: user.email, role: user.role },
    pending: ctx.status.pending, attention, lastSyncedAt: lastSyncedAt || null, storage,
    version: appVersion(), updateWaiting: isWaiting(), online: ctx.online, now: Date.now(), reminders,
  };
}

/**
 * The screen while it is open: the server's reminder settings once read, and how to redraw.
 * @typedef {{fresh: import('../reminders.js').NotificationSettings | null, refresh: () => Promise<void>}} Settings
 */

/**
 * The server's word on this device's reminders; the screen shows what it kept until then.
 * @param {import('../app.js').Ctx} ctx
 * @param {Settings} st
 */
async function refetch(ctx, st) {
  if (!ctx.online || ctx.session.ended) return;
  try {
    st.fresh = await fetchNotificationSettings(ctx.session);
    await st.refresh();
  } catch {
    // offline after all, or the server is away: the kept settings stay on screen
  }
}

/**
 * Turn reminders on or off, saying why when it failed, then show where they stand.
 * @param {import('../app.js').Ctx} ctx
 * @param {Settings} st
 * @param {() => Promise<void>} work
 * @param {string} failure
 */
async function remindersChange(ctx, st, work, failure) {
  try {
    await work();
  } catch (error) {
    // Our server's words are meant for people; the browser's push errors are not.
    const why = error instanceof ApiError || error instanceof NetworkError ? error.message
      : 'The browser could not reach its push service. Check the connection and try again.';
    ctx.toast(`${failure} ${why}`, { tone: 'error' });
  }
  await refetch(ctx, st);
  await st.refresh();
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {Settings} st
 */
function reminderActions(ctx, st) {
  return {
    onRemindersOn: () => remindersChange(ctx, st, async () => {
      const answer = await turnOnReminders(ctx.session);
      if (answer === 'on') ctx.toast('Reminders are on. You can choose which ones below.');
      else if (answer === 'default') ctx.toast('Lesson Loop did not get an answer. Tap Turn on reminders again when you are ready.');
    }, 'Reminders could not be turned on.'),
    onRemindersOff: () => remindersChange(ctx, st, async () => {
      await turnOffReminders(ctx.session);
      ctx.toast('Reminders are off on this device.');
    }, 'Reminders could not be turned off.'),
    onReminderSettings: async (/** @type {Record<string, any>} */ changes) => {
      st.fresh = await saveNotificationSettings(ctx.session, changes);
    },
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {Settings} st
 * @returns {import('../views/settings.js').SettingsActions}
 */
function settingsActions(ctx, st) {
  return {
    onSyncNow: () => { syncNow(); },
    onRetry: async (key) => { await retryRejected(key); await st.refresh(); },
    onDiscard: async (key) => {
      if (!window.confirm('Let this change go? Its words will be removed from this device.')) return;
      await discardRejected(key);
      await st.refresh();
    },
    onPersist: async () => {
      const granted = await requestPersistence();
      ctx.toast(granted ? 'The browser will keep Lesson Loop’s data safe.' : 'The browser did not promise. Installing the app to your home screen usually helps.');
      await st.refresh();
    },
    onUpdate: () => applyUpdate(),
    ...reminderActions(ctx, st),
    onSignOut: async () => {
      const pending = ctx.status.pending;
      const question = pending
        ? `${pending} unsent ${pending === 1 ? 'change' : 'changes'} will be lost. Sign out anyway?`
        : 'Sign out of Lesson Loop on this device?';
      if (!window.confirm(question)) return;
      await signOut();
      ctx.signedOut();
    },
  };
}

/**
 * "Your data" (screens/rights.js), placed before "Sign out".
 * @param {import('../app.js').Ctx} ctx
 * @param {HTMLElement} node
 */
function withMyData(ctx, node) {
  const sections = node.querySelectorAll(':scope > section');
  const last = sections[sections.length - 1];
  node.insertBefore(myData(ctx, ctx.online), last || null);
  if (ctx.session.user.role === 'admin') node.insertBefore(signInSetupLink(), last || null); // issue 14
  node.insertBefore(secondFactor(ctx), last || null); // the second factor (screens/second-factor.js)
  node.insertBefore(phrasesSection(ctx), last || null); // issue 12: quick notes
  return node;
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function settingsScreen(ctx) {
  /** @type {Settings} */
  const st = { fresh: null, refresh: () => screen.refresh() };
  const actions = settingsActions(ctx, st);
  const screen = {
    title: 'Settings',
    tab: 'settings',
    node: withMyData(ctx, renderSettings(await load(ctx, st.fresh), actions)),
    async refresh() {
      const next = withMyData(ctx, renderSettings(await load(ctx, st.fresh), actions));
      screen.node.replaceWith(next);
      screen.node = next;
    },
    leave() { stopWatching(); },
  };
  const stopWatching = watchPermission(() => { screen.refresh(); });
  refetch(ctx, st);
  return screen;
}
