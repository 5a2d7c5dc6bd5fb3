// @ts-check
/**
 * School sign-in (OpenID Connect, docs/sign-in.md): which providers the school of an email
 * offers, the way to the provider, and the one-time code that comes back after the `#`,
 * traded over the API for the same answer as a password login.
 */

import { api } from './api.js';
import { deviceName, openSession } from './session.js';

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
 * Trade the code for a device, kept as a password sign-in's is (session.js openSession):
 * another person's unsent changes are never thrown away.
 * @param {string} code
 * @returns {Promise<import('./session.js').Session>}
 */
export function exchangeCode(code) {
  return openSession('/auth/oidc/exchange', { code });
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
