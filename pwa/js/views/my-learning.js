// @ts-check
/** My learning: my focuses (and a new personal one), my next steps, observations given and received. */

import { empty, field, h, icon, section } from '../dom.js';
import { stepRow } from './today.js';

/**
 * @typedef {{id: string, title: string, when: string, kind: string, href: string, people: string}} LearningObservation
 * @typedef {{
 *   focuses: {id: string, title: string, description: string, kind: string}[],
 *   open: import('./today.js').StepItem[], done: import('./today.js').StepItem[],
 *   given: LearningObservation[], received: LearningObservation[], online: boolean,
 *   picked: string | null
 * }} LearningData
 */

/**
 * @param {LearningObservation} item
 */
function observationLink(item) {
  return h('li', null, h('a', { class: 'row-link', href: item.href },
    h('span', { class: 'row-title' }, item.title),
    h('span', { class: 'row-meta' }, `${item.kind} · ${item.when}${item.people ? ` · ${item.people}` : ''}`),
    icon('arrow')));
}

/**
 * @typedef {{onCreateFocus: (title: string, description: string) => void, onStepDone: (id: string, done: boolean) => void,
 *   onDownload: () => void}} LearningActions
 */

/**
 * The form that starts a personal focus.
 * @param {LearningActions} actions
 */
function focusForm(actions) {
  const title = h('input', { type: 'text', maxlength: 200, required: true, placeholder: 'e.g. Getting quieter pupils talking', dataset: { draft: 'learning/new-focus/title' } });
  const description = h('textarea', { rows: 3, maxlength: 20000, placeholder: 'Why this matters for your pupils, and what you will try', dataset: { draft: 'learning/new-focus/description' } });
  const error = h('p', { class: 'form-error', role: 'alert' });
  return h('form', {
    class: 'card', novalidate: true, onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      if (!title.value.trim()) {
        error.textContent = 'Give your focus a short title.';
        title.focus();
        return;
      }
      actions.onCreateFocus(title.value.trim(), description.value.trim());
    },
  }, field('Title', title), field('Description', description), error,
  h('button', { type: 'submit', class: 'button primary' }, 'Add focus'));
}

/**
 * @param {LearningData} data
 * @param {LearningActions} actions
 */
export function renderMyLearning(data, actions) {
  const form = focusForm(actions);
  const personal = data.focuses.filter((f) => f.kind === 'personal');
  const school = data.focuses.filter((f) => f.kind === 'school');
  const details = h('details', { class: 'disclosure' }, h('summary', null, `Done (${data.done.length})`),
    h('ul', { class: 'steps done' }, data.done.map((s) => stepRow(s, actions.onStepDone))));
  for (const box of details.querySelectorAll('input[type=checkbox]')) /** @type {HTMLInputElement} */ (box).checked = true;
  const root = h('div', { class: 'screen learning' },
    section('My focuses',
      personal.length ? h('ul', { class: 'cards' }, personal.map((f) => h('li', { class: 'card', dataset: { id: f.id } },
        h('span', { class: 'card-kicker' }, 'My own focus'),
        h('span', { class: 'card-title' }, f.title),
        f.description ? h('p', { class: 'card-meta' }, f.description) : null)))
        : h('p', { class: 'none' }, 'No focus of your own yet: a question about your teaching you want to explore.'),
      h('details', { class: 'disclosure', open: !personal.length && !school.length, dataset: { draftHolder: '' } }, h('summary', null, 'Start a personal focus'), form),
      school.length ? h('div', { class: 'stack-small' }, h('p', { class: 'label' }, 'School focuses in your observations'),
        h('ul', { class: 'rows' }, school.map((f) => h('li', { class: 'row', dataset: { id: f.id } }, f.title)))) : null),
    section(`My next steps (${data.open.length} open)`,
      data.open.length ? h('ul', { class: 'steps' }, data.open.map((s) => stepRow(s, actions.onStepDone))) : empty('No open next steps.'),
      data.done.length ? details : null),
    section(`Observations I received (${data.received.length})`,
      data.received.length ? h('ul', { class: 'rows' }, data.received.map(observationLink)) : empty('None yet. Invite a colleague to watch a lesson.')),
    section(`Observations I gave (${data.given.length})`,
      data.given.length ? h('ul', { class: 'rows' }, data.given.map(observationLink)) : empty('None yet.')),
    section('My professional learning record',
      h('p', null, 'A PDF of your focuses, observations and next steps, to bring to a meeting.'),
      h('button', { type: 'button', class: 'button wide', disabled: !data.online, onclick: actions.onDownload }, icon('download'), 'Download my record'),
      data.online ? null : h('p', { class: 'hint' }, 'Downloads need a connection. You are offline now.')));
  if (data.picked) pick(root, data.picked);
  return root;
}

/**
 * Point out the next step or focus a reminder was about (opening "Done" if it is there).
 * @param {HTMLElement} root
 * @param {string} id
 */
function pick(root, id) {
  const item = [...root.querySelectorAll('[data-id]')].find((el) => /** @type {HTMLElement} */ (el).dataset.id === id);
  if (!item) return;
  item.classList.add('picked');
  item.setAttribute('tabindex', '-1');
  item.setAttribute('aria-current', 'true');
  const details = item.closest('details');
  if (details) details.open = true;
}
