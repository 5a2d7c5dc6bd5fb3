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
