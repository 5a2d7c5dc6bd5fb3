// @ts-check
/**
 * Signing in and out. The token and client id live in IndexedDB (meta `session`): tokens are
 * long-lived, because weeks offline are normal. Each sign-in is a new device for the server.
 */

import { api } from './api.js';
import { clearAll, countEntries, firstEntries, metaGet, metaPut, readMeta, transact } from './db.js';
import { renumber } from './outbox.js';
import { forgetReminders } from './reminders.js';

/**
 * @typedef {{id: string, email: string, display_name: string, role: string, school_id: string,
 *   team_ids: string[]}} User
 * @typedef {{token: string, client_id: string, user: User, ended?: boolean,
 *   mfa_enrolment_required?: boolean}} Session  (the flag: only as signIn returns it, not kept)
 */

/** @returns {Promise<Session | undefined>} */
export function currentSession() {
  return readMeta('session');
}

/** A name for this device in the person's list of signed-in devices. */
export function deviceName() {
  const agent = navigator.userAgent;
  const system = /iPhone|iPad/.test(agent) ? 'iPhone or iPad' : /Android/.test(agent) ? 'Android'
    : /Mac OS/.test(agent) ? 'Mac' : /Windows/.test(agent) ? 'Windows' : /CrOS/.test(agent) ? 'Chromebook' : 'Linux';
  return `Lesson Loop app on ${system}`;
}

/**
 * Open a session on this device from a sign-in endpoint's answer (a password sign-in, a code
 * from the school's identity provider). Someone else's unsent changes on this device are never
 * thrown away: they must sign in again to send them first.
 * @param {string} path the endpoint that answers with a token, a client id and the user
 * @param {Record<string, any>} body
 * @returns {Promise<Session>}
 */
export async function openSession(path, body) {
  const previous = await currentSession();
  const waiting = await countEntries();
  const result = await api(path, { method: 'POST', body });
  if (previous && previous.user.id !== result.user.id && waiting > 0) {
    throw new Error(`${previous.user.display_name} has ${waiting} unsent ${waiting === 1 ? 'change' : 'changes'} on this device. They need to sign in and send them first.`);
  }
  if (previous && previous.user.id !== result.user.id) await clearAll();
  /** @type {Session} */
  const session = { token: result.token, client_id: result.client_id, user: result.user };
  await transact(['meta', 'records', 'outbox'], 'readwrite', async (tx) => {
    // A new sign-in is a new device on the server, counting seq from 1 again.
    const [head] = await firstEntries(tx, 1);
    if (head) await renumber(tx, 0);
    else await metaPut(tx, 'seq', 0);
    await metaPut(tx, 'session', session);
    if (!(await metaGet(tx, 'signedInAt'))) await metaPut(tx, 'signedInAt', new Date().toISOString());
  });
  await requestPersistence();
  // The school requires a second factor this person has not set up (docs/second-factor-and-roster.md).
  return result.mfa_enrolment_required ? { ...session, mfa_enrolment_required: true } : session;
}

/**
 * Sign in with a password (openSession).
 * @param {string} email
 * @param {string} password
 * @param {string} [otp] the second factor's code, when login asked for it (mfa_required)
 * @returns {Promise<Session>}
 */
export function signIn(email, password, otp) {
  return openSession('/auth/login', { email, password, device_name: deviceName(), ...(otp ? { otp } : {}) });
}

/** Ask the browser to keep our storage even when space runs low; the answer is shown in Settings. */
export async function requestPersistence() {
  if (!navigator.storage || !navigator.storage.persist) return false;
  try {
    const persisted = await navigator.storage.persisted();
    return persisted || (await navigator.storage.persist());
  } catch {
    return false;
  }
}

/** Storage: persisted or not, and how much is used. */
export async function storageReport() {
  const storage = navigator.storage;
  if (!storage) return { persisted: false, usage: null, quota: null, canAsk: false };
  const [persisted, estimate] = await Promise.all([
    storage.persisted ? storage.persisted() : Promise.resolve(false),
    storage.estimate ? storage.estimate() : Promise.resolve(/** @type {StorageEstimate} */ ({})),
  ]);
  // WebKit (Safari) has no storage.persist(): there is nothing to ask (docs/browsers.md).
  return { persisted, usage: estimate.usage ?? null, quota: estimate.quota ?? null, canAsk: Boolean(storage.persist) };
}

/**
 * Sign out: no more reminders here, end the token on the server (when reachable) and forget
 * everything here.
 * The caller checks for unsent changes first.
 */
export async function signOut() {
  const session = await currentSession();
  // Reminders go first, while the sign-in can still tell the server which subscription.
  await forgetReminders(session);
  if (session && !session.ended) {
    try {
      await api('/auth/logout', { method: 'POST', token: session.token });
    } catch {
      // Offline or already ended: this device forgets the token either way.
    }
  }
  await clearAll();
}
