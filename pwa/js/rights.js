// @ts-check
/**
 * The person's rights in the app: who has seen my records (the audit trail), downloading my
 * data, and an admin erasing a person. Everything here needs a connection.
 */

import { ApiError, NetworkError, api, apiFile } from './api.js';
import { saveFile } from './reports.js';
import { currentSession } from './session.js';

/**
 * @typedef {{id: number, at: string, action: string, record_type: string, record_id: string | null,
 *   subject_id: string | null, actor: {id: string | null, display_name: string},
 *   device: {id: string | null, name: string}, detail: Record<string, any>}} AuditEvent
 */

const REPORTS = /** @type {Record<string, string>} */ ({
  observation: 'downloaded this observation as a PDF',
  teacher_record: 'downloaded your learning record',
  focus_report: 'downloaded a focus report',
  action_plan: 'downloaded the action plan',
});
const ACTIONS = /** @type {Record<string, string>} */ ({
  'observation.read_by_lead': 'received it on a device (shared with leads)',
  'observation.shared': 'shared it with leads',
  'observation.unshared': 'stopped sharing it with leads',
  'export.personal': 'downloaded their data',
  'export.school': 'exported the whole school',
  'user.erased': 'erased an account',
  'retention.run': 'deleted old records (retention)',
});

/**
 * One event as a sentence: who did what (the time and device are shown beside it).
 * @param {AuditEvent} event
 * @param {string} me my user id
 */
export function describeEvent(event, me) {
  const who = event.actor.id === me ? 'You' : event.actor.display_name || 'Lesson Loop';
  const what = event.action === 'report.downloaded' ? REPORTS[event.detail.report] || 'downloaded a report'
    : ACTIONS[event.action] || event.action;
  return `${who} ${what}`;
}

/**
 * The events about my records (one record's when `record` is given), newest first.
 * @param {{record?: string, limit?: number}} [query]
 * @returns {Promise<AuditEvent[]>}
 */
export async function fetchMyAudit(query = {}) {
  const session = await currentSession();
  if (!session) return [];
  const params = new URLSearchParams({ limit: String(query.limit || 50) });
  if (query.record) params.set('record', query.record);
  const page = await api(`/me/audit?${params}`, { token: session.token });
  return page.events;
}

/**
 * A big export: ask for it, wait while the server builds it, then download it.
 * @param {string} token
 * @param {(message: string) => void} progress
 */
async function buildAndDownload(token, progress) {
  let job = await api('/me/exports', { method: 'POST', token });
  while (job.state === 'queued' || job.state === 'running') {
    progress(`Preparing your data (${job.progress} %) …`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    job = await api(`/me/exports/${job.id}`, { token });
  }
  if (job.state !== 'ready') throw new ApiError(500, { code: 'export_failed', message: 'Your data could not be prepared. Try again.' });
  return apiFile(job.download_url.replace(/^\/api\/v1/, ''), token);
}

/**
 * Download everything Lesson Loop holds about me (a ZIP); resolves with a sentence to show.
 * @param {(message: string) => void} progress
 */
export async function downloadMyData(progress) {
  if (!navigator.onLine) return 'Downloading your data needs a connection. Try again when you are back online.';
  const session = await currentSession();
  if (!session) return 'Sign in first.';
  try {
    let file;
    try {
      file = await apiFile('/me/export', session.token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'export_too_large') throw error;
      file = await buildAndDownload(session.token, progress);
    }
    saveFile(file.blob, file.filename);
    return `Downloaded ${file.filename}: your data as JSON and CSV, with your learning record.`;
  } catch (error) {
    if (error instanceof NetworkError) return 'The server could not be reached. Try again when you are back online.';
    if (error instanceof ApiError) return error.message;
    throw error;
  }
}

/** @returns {Promise<{id: string, display_name: string, email: string, role: string, active: boolean}[]>} */
export async function fetchStaff() {
  const session = await currentSession();
  if (!session) return [];
  return api('/admin/users', { token: session.token });
}

/**
 * Erase a person (admins): the name must be typed exactly. Resolves with the server's answer.
 * @param {string} userId
 * @param {string} confirmName
 * @returns {Promise<{user_id: string, erased: Record<string, number>}>}
 */
export async function erasePerson(userId, confirmName) {
  const session = await currentSession();
  if (!session) throw new ApiError(401, { code: 'unauthorized', message: 'Sign in first.' });
  return api(`/admin/users/${userId}/erase`, { method: 'POST', token: session.token, body: { confirm_name: confirmName } });
}
