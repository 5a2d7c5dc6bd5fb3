// @ts-check
/** Lead: reports and the trend, shared observations, school focuses and their look-fors (create, edit, retire). */

import { empty, field, h, replace, section } from '../dom.js';
import { leadColumns, reportsAndTrend, sharedSection } from './lead-laptop.js';
import { draftText, submitted } from '../drafts.js';

/**
 * @typedef {{id: string, text: string, active: boolean, canEdit: boolean}} LookforItem
 * @typedef {{id: string, title: string, description: string, active: boolean, canEdit: boolean, lookfors: LookforItem[]}} FocusItem
 * @typedef {Omit<import('./lead-laptop.js').LaptopData, 'focuses'> & {focuses: FocusItem[]}} LeadData
 * @typedef {{
 *   onCreateFocus: (title: string, description: string) => void,
 *   onEditFocus: (id: string, fields: {title: string, description: string}) => void,
 *   onFocusActive: (id: string, active: boolean) => void,
 *   onAddLookfor: (focusId: string, text: string) => void,
 *   onEditLookfor: (id: string, text: string) => void,
 *   onLookforActive: (id: string, active: boolean) => void
 * } & import('./lead-laptop.js').LaptopActions} LeadActions
 */

/** The drafts (drafts.js) of a look-for or focus being changed: an edit a redraw reopens. */
export const editKeys = {
  /** @param {string} id */
  lookfor: (id) => `lead/lookfor/${id}/text`,
  /** @param {string} id */
  focus: (id) => [`lead/focus/${id}/title`, `lead/focus/${id}/description`],
};

/**
 * @param {LookforItem} look
 * @param {LeadActions} actions
 */
function lookforRow(look, actions) {
  const row = h('li', { class: ['lookfor-row', look.active ? null : 'retired'] });
  const key = editKeys.lookfor(look.id);
  const cancel = () => { submitted([key]); show(); };
  const show = () => replace(row,
    h('span', { class: 'lookfor-text' }, look.text, look.active ? null : h('span', { class: 'tag' }, 'Retired')),
    look.canEdit ? h('button', { type: 'button', class: 'button small quiet', onclick: () => edit(true), 'aria-label': `Change look-for: ${look.text}` }, 'Change') : null);
  /** @param {boolean} tapped (false: reopened for the words typed before a redraw, drafts.js) */
  function edit(tapped) {
    const input = h('input', { type: 'text', value: look.text, 'aria-label': 'Look-for', dataset: { draft: key } });
    replace(row, h('form', { class: 'stack', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (input.value.trim()) actions.onEditLookfor(look.id, input.value.trim()); } },
      input,
      h('div', { class: 'row-actions' },
        h('button', { type: 'submit', class: 'button small primary' }, 'Save'),
        h('button', { type: 'button', class: 'button small', onclick: () => actions.onLookforActive(look.id, !look.active) }, look.active ? 'Retire' : 'Bring back'),
        h('button', { type: 'button', class: 'button small quiet', onclick: cancel }, 'Cancel'))));
    if (tapped) input.focus();
  }
  if (look.canEdit && draftText(key) !== null) edit(false);
  else show();
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
      h('button', { type: 'button', class: 'button small', onclick: () => edit(true) }, 'Edit focus'),
      h('button', { type: 'button', class: 'button small quiet', onclick: () => actions.onFocusActive(focus.id, !focus.active) }, focus.active ? 'Retire focus' : 'Bring back')) : null);
  const keys = editKeys.focus(focus.id);
  const cancel = () => { submitted(keys); show(); };
  /** @param {boolean} tapped (false: reopened for the words typed before a redraw, drafts.js) */
  function edit(tapped) {
    const title = h('input', { type: 'text', value: focus.title, maxlength: 200, dataset: { draft: keys[0] } });
    const description = h('textarea', { rows: 3, dataset: { draft: keys[1] } });
    description.value = focus.description;
    replace(card, h('form', { class: 'stack', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (title.value.trim()) actions.onEditFocus(focus.id, { title: title.value.trim(), description: description.value.trim() }); } },
      field('Title', title), field('Description', description),
      h('div', { class: 'row-actions' }, h('button', { type: 'submit', class: 'button small primary' }, 'Save'), h('button', { type: 'button', class: 'button small quiet', onclick: cancel }, 'Cancel'))));
    if (tapped) title.focus();
  }
  if (focus.canEdit && keys.some((key) => draftText(key) !== null)) edit(false);
  else show();
  return card;
}

/**
 * Reports and the trend first, then what is shared, then the focuses' editing: two columns on
 * a laptop (views/lead-laptop.js).
 * @param {LeadData} data
 * @param {LeadActions} actions
 */
export function renderLead(data, actions) {
  const title = h('input', { type: 'text', maxlength: 200, placeholder: 'e.g. Questioning that makes every pupil think', dataset: { draft: 'lead/new-focus/title' } });
  const description = h('textarea', { rows: 3, placeholder: 'What it looks like when it goes well', dataset: { draft: 'lead/new-focus/description' } });
  const focuses = section('School focuses',
    h('p', { class: 'hint' }, 'Where are we going? A few priorities, each with look-fors to tick on learning walks.'),
    h('ul', { class: 'cards' }, data.focuses.length ? data.focuses.map((f) => focusCard(f, actions)) : h('li', null, empty('No school focuses yet.'))),
    h('form', { class: 'card', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); if (title.value.trim()) actions.onCreateFocus(title.value.trim(), description.value.trim()); } },
      h('h3', null, 'New school focus'), field('Title', title), field('Description', description),
      h('button', { type: 'submit', class: 'button' }, 'Add school focus')));
  return h('div', { class: 'screen lead' }, leadColumns(reportsAndTrend(data, actions), [sharedSection(data), focuses]));
}
