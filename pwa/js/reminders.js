// @ts-check
/**
 * Reminders (Web Push, README "For the PWA"): this device's push subscription and the
 * person's reminder settings. Permission is asked for only by `turnOnReminders`, which the
 * Settings screen calls when "Turn on reminders" is tapped; nothing here asks on load.
 *
 * meta `reminders` ({endpoint}) records that the person turned reminders on on this device;
 * meta `notificationSettings` keeps the last settings read, to show them offline. Used by the
 * page and by the service worker (`resubscribeFromWorker`).
 */

import { ApiError, api } from './api.js';
import { readMeta, writeMeta } from './db.js';

/**
 * @typedef {{token: string, ended?: boolean}} SessionLike
 * @typedef {{partner_notes: boolean, review_requested: boolean, next_step_due: boolean, weekly_reflection: boolean}} ReminderKinds
 * @typedef {{
 *   kinds: ReminderKinds, quiet_hours: {start: string, end: string} | null, quiet_weekends: boolean,
 *   timezone: string, device_subscribed: boolean
 * }} NotificationSettings
 * @typedef {'supported' | 'needs_install' | 'unsupported'} Support
 */

/** Whether this browser can receive reminders (an iPhone only from the Home Screen app). */
export function reminderSupport() {
  const g = /** @type {any} */ (globalThis);
  if ('PushManager' in g && 'Notification' in g && 'serviceWorker' in navigator) return /** @type {Support} */ ('supported');
  const apple = /iPhone|iPad/.test(navigator.userAgent) || (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1);
  return /** @type {Support} */ (apple ? 'needs_install' : 'unsupported');
}

/** The browser's answer so far: 'default' (not asked), 'granted' or 'denied'. */
export function permission() {
  return 'Notification' in globalThis ? Notification.permission : 'denied';
}

/**
 * Call `onChange` when the person allows or blocks notifications in the browser's own settings
 * (someone told "unblock them, then come back" sees the change without reloading).
 * @param {() => void} onChange
 * @returns {() => void} stop watching
 */
export function watchPermission(onChange) {
  /** @type {PermissionStatus | null} */
  let status = null;
  let stopped = false;
  if (navigator.permissions) {
    navigator.permissions.query({ name: 'notifications' }).then((found) => {
      if (stopped) return;
      status = found;
      status.addEventListener('change', onChange);
    }).catch(() => undefined);
  }
  return () => {
    stopped = true;
    if (status) status.removeEventListener('change', onChange);
  };
}

/**
 * The VAPID key (base64url text) as the bytes PushManager.subscribe wants.
 * @param {string} text
 */
export function keyBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * The service worker registration: the worker's own; in a page, the active one (waiting for
 * it to be ready only when `wait`: a first visit may not have one yet).
 * @param {boolean} [wait]
 * @returns {Promise<ServiceWorkerRegistration | undefined>}
 */
function registration(wait = true) {
  const own = /** @type {any} */ (globalThis).registration;
  if (own) return Promise.resolve(own);
  return wait ? navigator.serviceWorker.ready : navigator.serviceWorker.getRegistration();
}

/** This device's push subscription, if any (never asks for anything, never waits). */
export async function currentSubscription() {
  if (reminderSupport() !== 'supported') return null;
  const reg = await registration(false);
  return reg ? reg.pushManager.getSubscription() : null;
}

/** The registration, which a subscription needs. */
async function readyRegistration() {
  return /** @type {ServiceWorkerRegistration} */ (await registration(true));
}

/**
 * A new subscription with the server's key (an old one, maybe for another key, is dropped).
 * @param {SessionLike} session
 */
async function subscribe(session) {
  const { public_key: key } = await api('/push/public-key', { token: session.token });
  const reg = await readyRegistration();
  const old = await reg.pushManager.getSubscription();
  if (old) await old.unsubscribe();
  return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
}

/**
 * Tell the server about this device's subscription (it replaces the device's earlier one).
 * @param {SessionLike} session
 * @param {PushSubscription} subscription
 */
async function register(session, subscription) {
  await api('/push/subscriptions', { method: 'POST', token: session.token, body: subscription.toJSON() });
  await writeMeta('reminders', { endpoint: subscription.endpoint });
}

/**
 * Ask for permission (only here, from a tap), subscribe, and register with the server.
 * Resolves to 'on', or to the browser's answer when it was not yes.
 * @param {SessionLike} session
 * @returns {Promise<'on' | 'denied' | 'default'>}
 */
export async function turnOnReminders(session) {
  // First, while the tap still counts as the person's own action (Safari insists).
  const answer = await Notification.requestPermission();
  if (answer !== 'granted') return answer;
  await register(session, await subscribe(session));
  return 'on';
}

/**
 * Turn reminders off: the server forgets the subscription first (404: it already had), then
 * the browser drops it.
 * @param {SessionLike} session
 */
export async function turnOffReminders(session) {
  const subscription = await currentSubscription();
  const wanted = await readMeta('reminders');
  const endpoint = (subscription && subscription.endpoint) || (wanted && wanted.endpoint);
  if (endpoint) {
    try {
      await api('/push/subscriptions', { method: 'DELETE', token: session.token, body: { endpoint } });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  await writeMeta('reminders', null);
  if (subscription) await subscription.unsubscribe();
}

/**
 * Signing out: no more reminders for this person here. Best effort with the server (which
 * also drops the device's subscription when the sign-in ends); the browser's always goes.
 * @param {SessionLike | undefined} session
 */
export async function forgetReminders(session) {
  try {
    if (session && !session.ended) await turnOffReminders(session);
  } catch {
    // offline or signed out already: the sign-out itself removes it on the server
  }
  const subscription = await currentSubscription().catch(() => null);
  if (subscription) await subscription.unsubscribe().catch(() => false);
}

/**
 * At start and after signing in again: if reminders were turned on here but the browser
 * replaced or dropped the subscription (a missed 'pushsubscriptionchange'), send the new one.
 * @param {SessionLike} session
 * @param {{resend?: boolean}} [options] resend: the server may not know this sign-in's subscription
 */
export async function checkReminders(session, options = {}) {
  const wanted = await readMeta('reminders');
  if (!wanted || session.ended || reminderSupport() !== 'supported' || permission() !== 'granted') return;
  const subscription = await currentSubscription();
  if (subscription && subscription.endpoint === wanted.endpoint && !options.resend) return;
  await register(session, subscription || (await subscribe(session)));
}

/**
 * The service worker's 'pushsubscriptionchange': register the browser's new subscription
 * (or make one). When that fails (offline), `checkReminders` does it at the app's next start.
 * @param {{oldSubscription?: PushSubscription | null, newSubscription?: PushSubscription | null}} event
 */
export async function resubscribeFromWorker(event) {
  const session = await readMeta('session');
  if (!session || session.ended || !(await readMeta('reminders'))) return;
  try {
    let subscription = event.newSubscription || null;
    if (!subscription) {
      const key = event.oldSubscription && event.oldSubscription.options.applicationServerKey;
      const reg = await readyRegistration();
      subscription = key
        ? await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
        : await subscribe(session);
    }
    await register(session, subscription);
  } catch (error) {
    console.warn('Lesson Loop could not renew its reminders now; it tries again when the app opens.', error);
  }
}

// ---- which reminders, and when -----------------------------------------------------------

/**
 * The reminder settings read last (shown at once, and offline).
 * @returns {Promise<NotificationSettings | null>}
 */
export async function keptNotificationSettings() {
  return (await readMeta('notificationSettings')) || null;
}

/**
 * The person's reminder settings from the server (kept for offline).
 * @param {SessionLike} session
 * @returns {Promise<NotificationSettings>}
 */
export async function fetchNotificationSettings(session) {
  const settings = await api('/me/notifications', { token: session.token });
  await writeMeta('notificationSettings', settings);
  return settings;
}

/**
 * Change the settings (kinds merge one by one; quiet hours and weekends replace).
 * @param {SessionLike} session
 * @param {{kinds?: Partial<ReminderKinds>, quiet_hours?: {start: string, end: string} | null, quiet_weekends?: boolean}} changes
 * @returns {Promise<NotificationSettings>}
 */
export async function saveNotificationSettings(session, changes) {
  const settings = await api('/me/notifications', { method: 'PATCH', token: session.token, body: changes });
  await writeMeta('notificationSettings', settings);
  return settings;
}
