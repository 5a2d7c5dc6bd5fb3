// @ts-check
/**
 * The current focus's look-for trend on the Lead screen. The charts are drawn on the server by
 * the focus report's own code (server/reports/trend.py, reports/charts.py), so the screen and
 * the PDF agree and the suppression of slices from fewer than 3 visits stays with the server.
 * The last answer for each focus and range is kept on this device (the `meta` store), so the
 * screen still shows it, with its date, when offline.
 */

import { ApiError, NetworkError, api } from './api.js';
import { readMeta, writeMeta } from './db.js';
import { currentSession } from './session.js';

/**
 * @typedef {{lookfor_id: string, text: string, active: boolean, svg: string}} TrendLookfor
 * @typedef {{focus_id: string, title: string, from: string, to: string, walks: number, visits: number,
 *   lookfors: TrendLookfor[]}} Trend
 * @typedef {{trend: Trend | null, fetchedAt: string | null, problem: string | null}} TrendState
 */

const FRESH_MS = 60_000;

/** @param {string} focusId @param {string} from @param {string} to */
const keyOf = (focusId, from, to) => `trend/${focusId}/${from}/${to}`;

/**
 * The trend of one focus over a range: from the server when it can be reached, else the one
 * kept from last time (with a sentence saying so).
 * @param {string} focusId
 * @param {string} from YYYY-MM-DD
 * @param {string} to YYYY-MM-DD
 * @returns {Promise<TrendState>}
 */
export async function loadTrend(focusId, from, to) {
  const key = keyOf(focusId, from, to);
  const kept = /** @type {{trend: Trend, fetchedAt: string} | undefined} */ (await readMeta(key));
  const session = await currentSession();
  // The Lead screen is redrawn after every sync: a chart fetched a moment ago is still current.
  if (kept && Date.now() - Date.parse(kept.fetchedAt) < FRESH_MS) return { trend: kept.trend, fetchedAt: kept.fetchedAt, problem: null };
  if (!session || !navigator.onLine) {
    return { trend: kept ? kept.trend : null, fetchedAt: kept ? kept.fetchedAt : null, problem: kept ? null : 'The chart needs a connection the first time. You are offline now.' };
  }
  try {
    const query = new URLSearchParams({ from, to });
    const trend = /** @type {Trend} */ (await api(`/reports/focuses/${encodeURIComponent(focusId)}/trend?${query}`, { token: session.token }));
    const fetchedAt = new Date().toISOString();
    await writeMeta(key, { trend, fetchedAt });
    return { trend, fetchedAt, problem: null };
  } catch (error) {
    if (!(error instanceof ApiError) && !(error instanceof NetworkError)) throw error;
    const problem = error instanceof ApiError ? error.message : 'The server could not be reached.';
    return { trend: kept ? kept.trend : null, fetchedAt: kept ? kept.fetchedAt : null, problem };
  }
}

/**
 * A chart as an image: the SVG is shown through `<img>`, where no script in it could run.
 * @param {string} svg
 * @param {string} label
 */
export function chartImage(svg, label) {
  const image = document.createElement('img');
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  image.alt = label;
  image.className = 'trend-chart';
  return image;
}
