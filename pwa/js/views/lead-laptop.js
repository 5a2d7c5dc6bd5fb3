// @ts-check
/**
 * The Lead screen's layout for a laptop as well as a phone: two columns above 1,000 px
 * (css/lead.css). The first column opens with the reports and their date range, then the
 * current focus's look-for trend (SVG charts from the focus report's code, js/trend.js); the
 * second holds the observations shared with leads, filterable by focus, kind and date, and
 * the focuses' own editing (views/lead.js).
 */

import { empty, field, h, icon, replace } from '../dom.js';
import { KINDS, formatDay } from '../model.js';
import { chartImage } from '../trend.js';

/**
 * @typedef {{id: string, title: string, when: string, kind: string, kindValue: string, people: string,
 *   href: string, day: string, focusIds: string[]}} SharedItem
 * @typedef {{id: string, title: string, active: boolean}} FocusChoice
 * @typedef {{
 *   online: boolean, from: string, to: string, focuses: FocusChoice[], teachers: {id: string, name: string}[],
 *   shared: SharedItem[]
 * }} LaptopData
 * @typedef {{
 *   onDownload: (path: string) => void,
 *   loadTrend: (focusId: string, from: string, to: string) => Promise<import('../trend.js').TrendState>
 * }} LaptopActions
 */

/**
 * What the lead chose (range, focus, filters), kept while the app is open: the screen is drawn
 * afresh after every sync, and the choices must survive that.
 * @type {Record<string, string>}
 */
const chosen = {};

/**
 * A select or date input that starts at, and keeps, the lead's last choice.
 * @template {HTMLInputElement | HTMLSelectElement} T
 * @param {T} input
 * @param {string} fallback
 * @returns {T}
 */
function remembered(input, fallback) {
  input.value = chosen[input.name] ?? fallback;
  if (input instanceof HTMLSelectElement && input.selectedIndex < 0) input.selectedIndex = 0;
  input.addEventListener('change', () => { chosen[input.name] = input.value; });
  return input;
}

/**
 * The two columns (one on a phone): reports and trend first, then what is shared, then `rest`.
 * @param {HTMLElement[]} first
 * @param {HTMLElement[]} second
 */
export function leadColumns(first, second) {
  return h('div', { class: 'lead-columns' }, h('div', { class: 'lead-column' }, first), h('div', { class: 'lead-column' }, second));
}

/**
 * The date range every report and the trend use, and the range in words.
 * @param {LaptopData} data
 * @param {() => void} changed
 */
function rangeInputs(data, changed) {
  const from = remembered(h('input', { type: 'date', name: 'report-from', onchange: changed }), data.from);
  const to = remembered(h('input', { type: 'date', name: 'report-to', onchange: changed }), data.to);
  const words = h('span', { class: 'report-range' });
  const say = () => { words.textContent = `${formatDay(from.value)} to ${formatDay(to.value)}`; };
  say();
  from.addEventListener('change', say);
  to.addEventListener('change', say);
  return { from, to, words, query: () => `from=${from.value}&to=${to.value}` };
}

/**
 * Reports first, with their date range, then the trend of the chosen focus.
 * @param {LaptopData} data
 * @param {LaptopActions} actions
 */
export function reportsAndTrend(data, actions) {
  const trend = h('div', { class: 'trend', 'aria-live': 'polite' });
  const focusPick = remembered(h('select', { name: 'report-focus' },
    data.focuses.map((f) => h('option', { value: f.id }, f.active ? f.title : `${f.title} (retired)`))), data.focuses[0]?.id || '');
  const range = rangeInputs(data, () => drawTrend(trend, data, actions, focusPick.value, range));
  focusPick.addEventListener('change', () => drawTrend(trend, data, actions, focusPick.value, range));
  const teacherPick = remembered(h('select', { name: 'record-teacher', 'aria-label': 'Teacher for the record' }, data.teachers.map((t) => h('option', { value: t.id }, t.name))), data.teachers[0]?.id || '');
  const download = (/** @type {string} */ label, /** @type {() => string} */ path) =>
    h('button', { type: 'button', class: 'button', 'aria-label': `Download ${label.toLowerCase()}`, disabled: !data.online, onclick: () => actions.onDownload(path()) }, icon('download'), label);
  const reports = h('section', { class: 'section lead-reports' }, h('h2', null, 'Reports ', range.words),
    h('div', { class: 'report-controls' }, field('From', range.from), field('To', range.to), data.focuses.length ? field('Focus', focusPick) : null),
    data.online ? null : h('p', { class: 'notice' }, 'Downloads need a connection. You are offline now; everything else works.'),
    h('div', { class: 'report' }, h('div', null, h('h3', null, 'Action plan'), h('p', { class: 'hint' }, 'Every focus: evidence so far, next steps by owner.')),
      download('Action plan', () => `/reports/action-plan.pdf?${range.query()}`)),
    data.focuses.length ? h('div', { class: 'report' }, h('div', null, h('h3', null, 'Focus report'), h('p', { class: 'hint' }, 'The focus chosen above: walk tallies by period, team and year group.')),
      download('Focus report', () => `/reports/focuses/${focusPick.value}.pdf?${range.query()}`)) : null,
    data.teachers.length ? h('div', { class: 'report' }, h('div', null, h('h3', null, 'A teacher’s learning record'), h('p', { class: 'hint' }, 'Only what they shared with leads.')),
      h('span'), teacherPick, download('Record', () => `/reports/teachers/${teacherPick.value}.pdf?${range.query()}`)) : null);
  const trendSection = h('section', { class: 'section lead-trend' }, h('h2', null, 'Where the school is'), trend);
  if (data.focuses.length) drawTrend(trend, data, actions, focusPick.value, range);
  else replace(trend, empty('No school focus yet: add one below, with look-fors to tick on walks.'));
  return [reports, trendSection];
}

/**
 * Fetch (or take the kept copy of) the focus's trend and draw it.
 * @param {HTMLElement} box
 * @param {LaptopData} data
 * @param {LaptopActions} actions
 * @param {string} focusId
 * @param {{from: HTMLInputElement, to: HTMLInputElement}} range
 */
async function drawTrend(box, data, actions, focusId, range) {
  box.dataset.state = 'loading';
  const focus = data.focuses.find((f) => f.id === focusId);
  const state = await actions.loadTrend(focusId, range.from.value, range.to.value);
  const { trend } = state;
  replace(box,
    h('h3', null, `Look-fors over time: ${focus ? focus.title : 'the focus'}`),
    trend ? h('p', { class: 'hint' }, `${trend.walks} ${trend.walks === 1 ? 'learning walk' : 'learning walks'}, ${trend.visits} classroom ${trend.visits === 1 ? 'visit' : 'visits'}, ${formatDay(trend.from)} to ${formatDay(trend.to)}.`) : null,
    state.problem ? h('p', { class: 'notice' }, state.problem) : null,
    trend && !trend.lookfors.length ? empty('This focus has no look-fors yet.') : null,
    trend ? h('ul', { class: 'plain trend-lookfors' }, trend.lookfors.map((look) => h('li', { class: 'trend-lookfor', dataset: { lookfor: look.lookfor_id } },
      h('p', { class: 'lookfor-text' }, look.text), chartImage(look.svg, `${look.text}: seen, partly and not seen by period`)))) : null,
    trend ? h('p', { class: 'trend-legend' }, h('span', { class: 'swatch-seen' }, 'Seen'), h('span', { class: 'swatch-partly' }, 'Partly'),
      h('span', { class: 'swatch-not_seen' }, 'Not seen'), h('span', { class: 'swatch-hidden' }, 'Dashed: from fewer than 3 visits, not shown')) : null);
  box.dataset.state = trend ? 'ready' : 'missing';
}

/**
 * The filters of the shared observations: focus, kind, from and to.
 * @param {LaptopData} data
 * @param {() => void} changed
 */
function sharedFilters(data, changed) {
  const focus = remembered(h('select', { name: 'shared-focus', onchange: changed }, h('option', { value: '' }, 'Every focus'), data.focuses.map((f) => h('option', { value: f.id }, f.title))), '');
  const kind = remembered(h('select', { name: 'shared-kind', onchange: changed }, h('option', { value: '' }, 'Every kind'), Object.entries(KINDS).map(([value, label]) => h('option', { value }, label))), '');
  const from = remembered(h('input', { type: 'date', name: 'shared-from', onchange: changed }), '');
  const to = remembered(h('input', { type: 'date', name: 'shared-to', onchange: changed }), '');
  const node = h('div', { class: 'shared-filters' }, field('Focus', focus), field('Kind', kind), field('From', from), field('To', to));
  /** @param {SharedItem} item */
  const keeps = (item) => (!focus.value || item.focusIds.includes(focus.value)) && (!kind.value || item.kindValue === kind.value)
    && (!from.value || item.day >= from.value) && (!to.value || item.day <= to.value);
  return { node, keeps };
}

/**
 * Observations shared with leads, filterable by focus, kind and date.
 * @param {LaptopData} data
 */
export function sharedSection(data) {
  const heading = h('h2', null);
  const list = h('ul', { class: 'rows shared-list' });
  const filters = sharedFilters(data, draw);
  function draw() {
    const shown = data.shared.filter(filters.keeps);
    heading.textContent = shown.length === data.shared.length ? `Shared with leads (${data.shared.length})` : `Shared with leads (${shown.length} of ${data.shared.length})`;
    list.dataset.count = String(shown.length);
    replace(list, shown.length ? shown.map((item) => h('li', { dataset: { id: item.id } }, h('a', { class: 'row-link', href: item.href },
      h('span', { class: 'row-title' }, item.title), h('span', { class: 'row-meta' }, `${item.kind} · ${item.when}${item.people ? ` · ${item.people}` : ''}`), icon('arrow'))))
      : h('li', null, empty(data.shared.length ? 'Nothing shared matches these filters.' : 'Nothing has been shared yet.')));
  }
  draw();
  return h('section', { class: 'section lead-shared' }, heading,
    h('p', { class: 'hint' }, 'Observations the observed teacher chose to share, and learning walks.'), filters.node, list);
}
