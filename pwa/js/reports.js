// @ts-check
/** Report downloads (PDF): fetched with the sign-in token, saved as a file. Needs a connection. */

import { ApiError, NetworkError, apiFile } from './api.js';
import { currentSession } from './session.js';

/**
 * Download one report; resolves with a sentence to show the person.
 * @param {string} path e.g. "/reports/observations/<id>.pdf"
 */
export async function downloadReport(path) {
  if (!navigator.onLine) return 'Downloads need a connection. You are offline now: try again when you are back online.';
  const session = await currentSession();
  if (!session) return 'Sign in first.';
  try {
    const { blob, filename } = await apiFile(path, session.token);
    saveFile(blob, filename);
    return `Downloaded ${filename}.`;
  } catch (error) {
    if (error instanceof NetworkError) return 'Downloads need a connection, and the server could not be reached. Try again when you are back online.';
    if (error instanceof ApiError && error.status === 404) return `${error.message} If the report should exist, the server may not offer it yet.`;
    if (error instanceof ApiError) return error.message;
    throw error;
  }
}

/**
 * Save a downloaded file as the browser does for a link with `download`.
 * @param {Blob} blob
 * @param {string} filename
 */
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
