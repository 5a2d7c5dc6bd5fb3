// @ts-check
/** Requests to the Lesson Loop API (PROTOCOL.md): JSON in and out, one error shape. */

const BASE = '/api/v1';
const TIMEOUT_MS = 30_000;

/** The server answered with an error (the body's `error`: code, message, details). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{code?: string, message?: string, details?: any} | undefined} error
   */
  constructor(status, error) {
    super((error && error.message) || `The server answered ${status}.`);
    this.status = status;
    this.code = (error && error.code) || 'http_' + status;
    this.details = error && error.details;
  }
}

/** No answer at all: offline, timed out, or the connection dropped mid-way. */
export class NetworkError extends Error {
  constructor(message = 'No connection to the school’s server.') {
    super(message);
  }
}

/** @param {number} ms */
function timeoutSignal(ms) {
  if ('timeout' in AbortSignal) return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

/**
 * @param {string} path
 * @param {{method?: string, body?: any, token?: string, accept?: string}} options
 */
async function send(path, { method = 'GET', body, token, accept = 'application/json' }) {
  /** @type {Record<string, string>} */
  const headers = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      signal: timeoutSignal(TIMEOUT_MS),
    });
  } catch {
    throw new NetworkError();
  }
}

/**
 * @param {Response} response
 */
async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiError(response.status, body && body.error);
}

/**
 * One JSON request; resolves with the decoded body (null for 204).
 * @param {string} path
 * @param {{method?: string, body?: any, token?: string}} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  const response = await send(path, options);
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    // The answer was cut off: the request may have been applied; the caller retries safely.
    throw new NetworkError('The connection dropped before the server’s answer arrived.');
  }
}

/**
 * A file download: the body as a Blob and the server's file name.
 * @param {string} path
 * @param {string} token
 * @returns {Promise<{blob: Blob, filename: string}>}
 */
export async function apiFile(path, token) {
  const response = await send(path, { token, accept: 'application/pdf' });
  if (!response.ok) throw await failure(response);
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const filename = match ? decodeURIComponent(match[1]) : path.split('/').pop() || 'report.pdf';
  try {
    return { blob: await response.blob(), filename };
  } catch {
    throw new NetworkError('The download was cut off. Try again.');
  }
}
