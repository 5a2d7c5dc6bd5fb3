// @ts-check
/** Lead: school focuses and their look-fors (create, edit, retire), shared observations, reports. */

import { empty, field, h, icon, replace, section } from '../dom.js';

/**
 * @typedef {{id: string, text: string, active: boolean, canEdit: boolean}} LookforItem
 * @typedef {{id: string, title: string, description: string, active: boolean, canEdit: boolean, lookfors: LookforItem[]}} FocusItem
 * @typedef {{
 *   focuses: FocusItem[], shared: import('./my-learning.js').LearningObservation[],
 *   teachers: {id: string, name: string}[], online: boolean, from: string, to: string
 * }} LeadData
 * @typedef {{
 *   onCreateFocus: (title: string, description: string) => void,
 *   onEditFocus: (id: string, fields: {title: string, description: string}) => void,
 *   onFocusActive: (id: string, active: boolean) => void,
 *   onAddLookfor: (focusId: string, text: string) => void,
 *   onEditLookfor: (id: string, text: string) => void,
 *   onLookforActive: (id: string, active: boolean) => void,
 *   onDownload: (path: string) => void
 * }} LeadActions
 */

/**
 * @param {LookforItem} look
 * @param {LeadActions} actions
 */
function lookforRow(look, actions) {
  const row = h('li', { class: ['lookfor-row', look.active ? null : 'retired'] });
  const show = () => replace(row,
    h('span', { class: 'lookfor-text' }, look.text, look.active ? null : h('span', { class: 'tag' }, 'Retired')),
    look.canEdit ? h('button', { type: 'button', class: 'button small quiet', onclick: edit, 'aria-label': `Change look-for: ${look.text}` }, 'Change') : null);
  function edit() {
    const input = h('input', { type: 'text', value: look.text, 'aria-label': 'Look-for' });
    replace(row, h('form', { class: 'stack', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (input.value.trim()) actions.onEditLookfor(look.id, input.value.trim()); } },
      input,
      h('div', { class: 'row-actions' },
        h('button', { type: 'submit', class: 'button small primary' }, 'Save'),
        h('button', { type: 'button', class: 'button small', onclick: () => actions.onLookforActive(look.id, !look.active) }, look.active ? 'Retire' : 'Bring back'),
        h('button', { type: 'button', class: 'button small quiet', onclick: show }, 'Cancel'))));
    input.focus();
  }
  show();
  return row;
}

/**
 * @param {FocusItem} focus
 * @param {LeadActions} actions
 */
function focusCard(focus, actions) {
  const card = h('li', { class: ['card', 'focus-card', focus.active ? null : 'retired'] });
  const newLook = h('input', { type: 'text', maxlength: 20000, placeholder: 'e.g. Pupils explain their thinking', 'aria-label': `New look-for for ${focus.title}`, dataset: { draft: `lead/${focus.id}/new-lookfor` } });
  const show = () => replace(card,
    h('span', { class: 'card-kicker' }, focus.active ? 'School focus' : 'Retired focus'),
    h('h3', { class: 'card-title' }, focus.title),
    focus.description ? h('p', { class: 'card-meta' }, focus.description) : null,
    h('p', { class: 'label' }, 'Look-fors'),
    h('ul', { class: 'lookfor-list' }, focus.lookfors.length ? focus.lookfors.map((l) => lookforRow(l, actions)) : h('li', null, empty('No look-fors yet.'))),
    focus.canEdit ? h('form', { class: 'inline-add', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (newLook.value.trim()) actions.onAddLookfor(focus.id, newLook.value.trim()); } },
      newLook, h('button', { type: 'submit', class: 'button small' }, 'Add')) : null,
    focus.canEdit ? h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'button small', onclick: edit }, 'Edit focus'),
      h('button', { type: 'button', class: 'button small quiet', onclick: () => actions.onFocusActive(focus.id, !focus.active) }, focus.active ? 'Retire focus' : 'Bring back')) : null);
  function edit() {
    const title = h('input', { type: 'text', value: focus.title, maxlength: 200 });
    const description = h('textarea', { rows: 3 });
    description.value = focus.description;
    replace(card, h('form', { class: 'stack', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (title.value.trim()) actions.onEditFocus(focus.id, { title: title.value.trim(), description: description.value.trim() }); } },
      field('Title', title), field('Description', description),
      h('div', { class: 'row-actions' }, h('button', { type: 'submit', class: 'button small primary' }, 'Save'), h('button', { type: 'button', class: 'button small quiet', onclick: show }, 'Cancel'))));
    title.focus();
  }
  show();
  return card;
}

/**
 * @param {LeadData} data
 * @param {LeadActions} actions
 */
export function renderLead(data, actions) {
  const title = h('input', { type: 'text', maxlength: 200, placeholder: 'e.g. Questioning that makes every pupil think', dataset: { draft: 'lead/new-focus/title' } });
  const description = h('textarea', { rows: 3, placeholder: 'What it looks like when it goes well', dataset: { draft: 'lead/new-focus/description' } });
  const from = h('input', { type: 'date', value: data.from });
  const to = h('input', { type: 'date', value: data.to });
  const range = () => `from=${from.value}&to=${to.value}`;
  const focusPick = h('select', { 'aria-label': 'Focus for the report' }, data.focuses.map((f) => h('option', { value: f.id }, f.title)));
  const teacherPick = h('select', { 'aria-label': 'Teacher for the record' }, data.teachers.map((t) => h('option', { value: t.id }, t.name)));
  const download = (/** @type {string} */ label, /** @type {() => string} */ path) =>
    h('button', { type: 'button', class: 'button', disabled: !data.online, onclick: () => actions.onDownload(path()) }, icon('download'), label);
  return h('div', { class: 'screen lead' },
    section('School focuses',
      h('p', { class: 'hint' }, 'Where are we going? A few priorities, each with look-fors to tick on learning walks.'),
      h('ul', { class: 'cards' }, data.focuses.length ? data.focuses.map((f) => focusCard(f, actions)) : h('li', null, empty('No school focuses yet.'))),
      h('form', { class: 'card', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (title.value.trim()) actions.onCreateFocus(title.value.trim(), description.value.trim()); } },
        h('h3', null, 'New school focus'), field('Title', title), field('Description', description),
        h('button', { type: 'submit', class: 'button' }, 'Add school focus'))),
    section(`Shared with leads (${data.shared.length})`,
      h('p', { class: 'hint' }, 'Observations the observed teacher chose to share, and learning walks.'),
      data.shared.length ? h('ul', { class: 'rows' }, data.shared.map((item) => h('li', null, h('a', { class: 'row-link', href: item.href },
        h('span', { class: 'row-title' }, item.title), h('span', { class: 'row-meta' }, `${item.kind} · ${item.when}${item.people ? ` · ${item.people}` : ''}`), icon('arrow')))))
        : empty('Nothing has been shared yet.')),
    section('Reports',
      data.online ? h('p', { class: 'hint' }, 'PDF summaries to print or bring to a meeting.')
        : h('p', { class: 'notice' }, 'Downloads need a connection. You are offline now; everything else works.'),
      h('div', { class: 'field-row' }, field('From', from), field('To', to)),
      h('div', { class: 'report' }, h('h3', null, 'Action plan'), h('p', { class: 'hint' }, 'Focuses, the evidence so far, and next steps by focus and owner.'),
        download('Download action plan', () => `/reports/action-plan.pdf?${range()}`)),
      data.focuses.length ? h('div', { class: 'report' }, h('h3', null, 'A focus: look-fors from learning walks'),
        field('Focus', focusPick), download('Download focus report', () => `/reports/focuses/${focusPick.value}.pdf?${range()}`)) : null,
      data.teachers.length ? h('div', { class: 'report' }, h('h3', null, 'A teacher’s learning record'), h('p', { class: 'hint' }, 'Only what they shared with leads.'),
        field('Teacher', teacherPick), download('Download record', () => `/reports/teachers/${teacherPick.value}.pdf?${range()}`)) : null));
}
