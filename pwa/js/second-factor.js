// @ts-check
/**
 * The second factor (TOTP) and the school's sign-in settings: the server's calls. Everything
 * here needs a connection (docs/second-factor-and-roster.md).
 */

import { ApiError, api } from './api.js';
import { currentSession } from './session.js';

/**
 * @typedef {{enabled: boolean, required: boolean, recovery_codes_left: number}} MfaStatus
 * @typedef {{secret: string, otpauth_uri: string, qr_svg: string}} Enrolment
 * @typedef {{required_for: string, recommended: string, leads_without_second_factor: number,
 *   staff_without_second_factor: number}} Requirement
 */

async function token() {
  const session = await currentSession();
  if (!session) throw new ApiError(401, { code: 'unauthorized', message: 'Sign in first.' });
  return session.token;
}

/** @returns {Promise<MfaStatus>} */
export async function fetchMfaStatus() {
  return api('/me/mfa', { token: await token() });
}

/** @returns {Promise<Enrolment>} */
export async function startEnrolment() {
  return api('/me/mfa', { method: 'POST', token: await token() });
}

/**
 * @param {string} otp
 * @returns {Promise<string[]>} the recovery codes, to show once
 */
export async function confirmEnrolment(otp) {
  const answer = await api('/me/mfa/confirm', { method: 'POST', token: await token(), body: { otp } });
  return answer.recovery_codes;
}

/** @param {string} otp */
export async function turnOffSecondFactor(otp) {
  await api('/me/mfa', { method: 'DELETE', token: await token(), body: { otp } });
}

/** @returns {Promise<Requirement>} */
export async function fetchRequirement() {
  return api('/admin/mfa-requirement', { token: await token() });
}

/**
 * @param {string} requiredFor nobody, leads or everyone
 * @returns {Promise<Requirement>}
 */
export async function saveRequirement(requiredFor) {
  return api('/admin/mfa-requirement', { method: 'PATCH', token: await token(), body: { required_for: requiredFor } });
}

/**
 * @typedef {{kind: string, email: string, display_name: string, where: string, details: string[]}} RosterChange
 * @typedef {{changes: RosterChange[], kept_admins: string[], teams_created: string[],
 *   temporary_passwords: {email: string, password: string}[]}} RosterPlan
 */

/** @param {File} file */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * What syncing the staff with this roster would change (nothing is written), or, with
 * `apply`, sync it: one transaction on the server.
 * @param {File} file a OneRoster 1.2 zip or the staff CSV
 * @param {boolean} apply
 * @returns {Promise<RosterPlan>}
 */
export async function syncRoster(file, apply) {
  const body = { content_base64: await base64Of(file) };
  return api(`/admin/roster/${apply ? 'apply' : 'preview'}`, { method: 'POST', token: await token(), body });
}
