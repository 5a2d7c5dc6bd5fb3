// @ts-check
/** Today: my observations (in progress, upcoming, to review), unfinished notes, my next steps. */

import { empty, h, icon, section } from '../dom.js';
import { formatDay } from '../model.js';

/**
 * @typedef {{id: string, title: string, kind: string, when: string, people: string, href: string,
 *   action: string, status: string}} ObservationItem
 * @typedef {{id: string, text: string, due: string | null, overdue: boolean, context: string,
 *   editable?: boolean}} StepItem
 * @typedef {{
 *   firstName: string, greeting: string,
 *   groups: {in_progress: ObservationItem[], upcoming: ObservationItem[], to_review: ObservationItem[]},
 *   steps: StepItem[], drafts: {observationId: string, title: string}[]
 * }} TodayData
 */

/**
 * @param {ObservationItem} item
 */
function observationCard(item) {
  return h('li', null, h('a', { class: 'card card-link', href: item.href },
    h('span', { class: 'card-kicker' }, item.kind),
    h('span', { class: 'card-title' }, item.title),
    h('span', { class: 'card-meta' }, item.when),
    item.people ? h('span', { class: 'card-meta' }, item.people) : null,
    h('span', { class: 'card-action' }, item.action, icon('arrow'))));
}

/**
 * @param {string} title
 * @param {ObservationItem[]} items
 * @param {string} none
 */
function group(title, items, none) {
  if (!items.length) return h('section', { class: 'section quiet-section' }, h('h2', null, title), h('p', { class: 'none' }, none));
  return section(`${title} (${items.length})`, h('ul', { class: 'cards' }, items.map(observationCard)));
}

/**
 * @param {StepItem} step
 * @param {(id: string, done: boolean) => void} onDone
 */
export function stepRow(step, onDone) {
  // Only where the step's `can.edit` allows (js/can.js): otherwise no box to tick.
  const box = h('input', { type: 'checkbox', onchange: () => onDone(step.id, box.checked) });
  return h('li', { class: ['step', step.editable === false ? 'step-readonly' : null], dataset: { id: step.id } },
    step.editable === false ? null : h('label', { class: 'step-check' }, box, h('span', { class: 'visually-hidden' }, `Mark done: ${step.text}`)),
    h('div', { class: 'step-body' },
      h('p', { class: 'step-text' }, step.text),
      h('p', { class: ['step-meta', step.overdue ? 'overdue' : null] },
        step.due ? `${step.overdue ? 'Was due' : 'Due'} ${formatDay(step.due)}` : 'No date set',
        step.context ? ` · ${step.context}` : '')));
}

/**
 * @param {TodayData} data
 * @param {{onStepDone: (id: string, done: boolean) => void}} actions
 */
export function renderToday(data, actions) {
  const drafts = data.drafts.length
    ? h('div', { class: 'notice' },
      h('p', null, h('strong', null, 'You started a note and did not save it yet. ')),
      h('ul', { class: 'plain' }, data.drafts.map((d) => h('li', null,
        h('a', { href: `#/capture/${d.observationId}` }, `Finish your note in ${d.title}`)))))
    : null;
  return h('div', { class: 'screen today' },
    h('p', { class: 'greeting' }, `${data.greeting}, ${data.firstName}.`),
    h('a', { class: 'button primary wide', href: '#/new' }, icon('plus'), 'New observation'),
    drafts,
    group('In progress', data.groups.in_progress, 'Nothing right now.'),
    group('Upcoming', data.groups.upcoming, 'Nothing planned.'),
    group('To review', data.groups.to_review, 'Nothing waiting.'),
    section(`My open next steps${data.steps.length ? ` (${data.steps.length})` : ''}`,
      data.steps.length
        ? h('ul', { class: 'steps' }, data.steps.map((s) => stepRow(s, actions.onStepDone)))
        : empty('No open next steps. Agreed next steps from a review show here.')));
}
