// @ts-check
/**
 * School sign-in (OpenID Connect, docs/sign-in.md): which providers the school of an email
 * offers, the way to the provider, and the one-time code that comes back after the `#`,
 * traded over the API for the same answer as a password login.
 */

import { api } from './api.js';
import { clearAll, countEntries, firstEntries, metaGet, metaPut, transact } from './db.js';
import { renumber } from './outbox.js';
import { currentSession, deviceName, requestPersistence } from './session.js';

/**
 * @typedef {{id: string, kind: string, label: string, start_url: string}} SignInOption
 * @typedef {{id: string, kind: string, label: string, issuer: string, tenant: string | null,
 *   client_id: string, has_secret: boolean, allowed_domains: string[], enabled: boolean}} Provider
 * @typedef {{create_accounts_on_first_sign_in: boolean, redirect_uri: string, scopes: string,
 *   providers: Provider[]}} SignInSettings
 */

/**
 * The school's sign-in options for an email (found by its domain alone).
 * @param {string} email
 * @returns {Promise<SignInOption[]>}
 */
export async function signInOptions(email) {
  const answer = await api('/auth/oidc/options', { method: 'POST', body: { email } });
  return answer.providers;
}

/**
 * Where "Sign in with ..." goes: the server's start page, which sends the browser on to the
 * school's provider.
 * @param {SignInOption} option
 */
export function startUrl(option) {
  return `${option.start_url}&device_name=${encodeURIComponent(deviceName())}`;
}

/**
 * Trade the code for a device, and keep the session as a password sign-in does (session.js
 * signIn): another person's unsent changes are never thrown away.
 * @param {string} code
 * @returns {Promise<import('./session.js').Session>}
 */
export async function exchangeCode(code) {
  const previous = await currentSession();
  const waiting = await countEntries();
  const result = await api('/auth/oidc/exchange', { method: 'POST', body: { code } });
  if (previous && previous.user.id !== result.user.id && waiting > 0) {
    throw new Error(`${previous.user.display_name} has ${waiting} unsent ${waiting === 1 ? 'change' : 'changes'} on this device. They need to sign in and send them first.`);
  }
  if (previous && previous.user.id !== result.user.id) await clearAll();
  /** @type {import('./session.js').Session} */
  const session = { token: result.token, client_id: result.client_id, user: result.user };
  await transact(['meta', 'records', 'outbox'], 'readwrite', async (tx) => {
    const [head] = await firstEntries(tx, 1);
    if (head) await renumber(tx, 0);
    else await metaPut(tx, 'seq', 0);
    await metaPut(tx, 'session', session);
    if (!(await metaGet(tx, 'signedInAt'))) await metaPut(tx, 'signedInAt', new Date().toISOString());
  });
  await requestPersistence();
  return session;
}

/**
 * The admin's sign-in settings.
 * @param {string} token
 * @returns {Promise<SignInSettings>}
 */
export function fetchSignInSettings(token) {
  return api('/admin/sign-in', { token });
}

/**
 * @param {string} token
 * @param {Record<string, any>} body
 */
export function addProvider(token, body) {
  return api('/admin/sign-in/providers', { method: 'POST', body, token });
}

/**
 * @param {string} token
 * @param {string} id
 * @param {Record<string, any>} body
 */
export function changeProvider(token, id, body) {
  return api(`/admin/sign-in/providers/${encodeURIComponent(id)}`, { method: 'PATCH', body, token });
}

/**
 * @param {string} token
 * @param {string} id
 */
export function removeProvider(token, id) {
  return api(`/admin/sign-in/providers/${encodeURIComponent(id)}`, { method: 'DELETE', token });
}

/**
 * @param {string} token
 * @param {boolean} value
 */
export function setCreateAccounts(token, value) {
  return api('/admin/sign-in', { method: 'PATCH', body: { create_accounts_on_first_sign_in: value }, token });
}
