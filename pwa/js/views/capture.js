// @ts-check
/**
 * Capture: a large text box that keeps focus, category chips, the lesson clock, case-pupil
 * chips (lesson study), look-for ticks (learning walks), and the notes so far with their
 * delivery state. The controller saves the text as it is typed; this module only draws.
 */

import { chips, choose, empty, h, icon, longList, replace } from '../dom.js';
import { CATEGORY_PROMPTS, RATINGS } from '../model.js';
import { editable } from './note-edit.js';
import { mountClock } from './lesson-clock.js';
import { authorTag, onlyMineSwitch } from './partner-notes.js';
import { mountQuickNotes } from './quick-notes.js';
import { notePhotoList } from './photos.js';

/**
 * @typedef {{id: string, minute: number | null, category: string, categoryLabel: string, text: string,
 *   casePupil: string, rating: string | null, lookfor: string | null, delivery: string, deliveryLabel: string,
 *   problem: string | null, mine: boolean, author: string, canEdit?: boolean, canDelete?: boolean,
 *   photos?: import('./photos.js').PhotoItem[]}} NoteItem
 * @typedef {{
 *   title: string, isWalk: boolean, isStudy: boolean, categories: {value: string, label: string}[],
 *   category: string, casePupils: string[], casePupil: string, text: string, draftKey: string, clockStartedAt: number | null,
 *   visit: number, lookfors: {id: string, text: string, rating: string | null}[], notes: NoteItem[],
 *   canMoveClock: boolean, onlyMine: boolean, partners: boolean, phrases: {text: string, source: string}[]
 * }} CaptureData
 * @typedef {{
 *   onCategory: (value: string) => void, onCasePupil: (value: string) => void,
 *   onSave: (text: string) => Promise<boolean>, onRate: (lookforId: string, rating: string) => void,
 *   onNextVisit: () => void, onOnlyMine: (onlyMine: boolean) => void,
 *   onOpenPhoto?: (id: string) => Promise<string | null>
 * } & import('./note-edit.js').NoteEditActions & import('./lesson-clock.js').ClockActions} CaptureActions
 */

const DELIVERY_ICONS = /** @type {const} */ ({ local: 'phone', sending: 'sync', delivered: 'check', attention: 'alert' });

/**
 * @param {NoteItem} note
 */
export function noteDelivery(note) {
  return h('p', { class: `delivery delivery-${note.delivery}` },
    icon(DELIVERY_ICONS[/** @type {keyof typeof DELIVERY_ICONS} */ (note.delivery)] || 'phone'),
    h('span', null, note.deliveryLabel),
    note.problem ? h('span', { class: 'problem' }, ` ${note.problem}`) : null);
}

/**
 * One of my notes, with its Edit button where the server's `can` allows (js/can.js); a
 * partner's, with who wrote it.
 * @param {NoteItem} note
 * @param {CaptureActions} actions
 */
function noteItem(note, actions) {
  return note.canEdit ? editable(noteBody(note, actions), note, actions) : noteBody(note, actions);
}

/**
 * @param {NoteItem} note
 * @param {CaptureActions} actions
 */
function noteBody(note, actions) {
  return h('li', { class: `note${note.mine ? '' : ' partner-note'}`, dataset: { id: note.id, delivery: note.delivery, mine: String(note.mine) } },
    h('div', { class: 'note-head' },
      note.minute === null ? null : h('span', { class: 'minute' }, `${note.minute} min`),
      authorTag(note),
      h('span', { class: `tag cat-${note.category}` }, note.categoryLabel),
      note.casePupil ? h('span', { class: 'tag' }, `Pupil ${note.casePupil}`) : null,
      note.rating ? h('span', { class: `tag rating-${note.rating}` }, RATINGS[/** @type {keyof typeof RATINGS} */ (note.rating)]) : null),
    note.lookfor ? h('p', { class: 'note-lookfor' }, note.lookfor) : null,
    note.text ? h('p', { class: 'note-text' }, note.text) : null,
    notePhotoList(note.photos, note.text, actions.onOpenPhoto), // its photos (issue 16)
    note.mine ? noteDelivery(note) : null);
}

/**
 * The text box and its Save button. Save first, then empty the box: a failed save leaves the
 * words where they were.
 * @param {CaptureData} data
 * @param {CaptureActions} actions
 */
function composer(data, actions) {
  const text = h('textarea', {
    id: 'note-text', class: 'capture-text', rows: 5, maxlength: 10000, enterkeyhint: 'send',
    placeholder: CATEGORY_PROMPTS[/** @type {keyof typeof CATEGORY_PROMPTS} */ (data.category)],
    'aria-label': 'Note', 'aria-describedby': 'note-help', dataset: { draft: data.draftKey },
  });
  text.value = data.text;
  const savedState = h('span', { class: 'saved-state', id: 'note-help' }, 'Enter saves the note. Words are kept as you type.');
  const saveButton = h('button', { type: 'button', class: 'button primary', id: 'save-note' }, 'Save note');
  let saving = false;
  async function save() {
    const value = text.value;
    if (saving || !value.trim()) {
      text.focus();
      return;
    }
    saving = true;
    try {
      if (await actions.onSave(value)) {
        // Keep anything typed while the note was being written away.
        text.value = text.value.startsWith(value) ? text.value.slice(value.length).trimStart() : text.value;
      }
      // What is left in the box (or all of it, when the save failed) is a draft again.
      if (text.value) text.dispatchEvent(new Event('input', { bubbles: true }));
    } finally {
      saving = false;
      text.focus();
    }
  }
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save();
    }
  });
  saveButton.addEventListener('pointerdown', (event) => event.preventDefault());
  saveButton.addEventListener('click', save);
  const quick = mountQuickNotes(text); // issue 12: one-tap phrases, put into the box for editing
  return { text, savedState, quick, node: h('div', { class: 'compose' }, text, h('div', { class: 'compose-row' }, savedState, saveButton), quick.node) };
}

/**
 * The lesson clock (lesson-clock.js), or on a walk the classroom and its button.
 * @param {CaptureData} data
 * @param {CaptureActions} actions
 * @param {HTMLElement} visit
 */
function captureTop(data, actions, visit) {
  const clock = mountClock({ startedAt: data.clockStartedAt, canMove: data.canMoveClock }, actions);
  const node = data.isWalk
    ? h('div', { class: 'capture-top' }, icon('clock'), visit,
      h('button', { type: 'button', class: 'button small', onclick: actions.onNextVisit }, 'Next classroom'))
    : clock.node;
  return { node, clock };
}

/**
 * The look-fors of a walk, each with its rating buttons.
 * @param {CaptureData['lookfors']} lookfors
 * @param {CaptureActions} actions
 */
function lookforItems(lookfors, actions) {
  if (!lookfors.length) return h('li', null, empty('This focus has no look-fors yet. A lead adds them on the Lead screen.'));
  return lookfors.map((look) => h('li', { class: 'lookfor' },
    h('p', { class: 'lookfor-text' }, look.text),
    h('div', { class: 'rating-row', role: 'group', 'aria-label': look.text },
      Object.entries(RATINGS).map(([value, label]) => h('button', {
        type: 'button', class: `rating rating-${value}`, 'aria-pressed': String(look.rating === value),
        onclick: () => actions.onRate(look.id, value),
      }, label)))));
}

/**
 * The chips for the kind of note and (lesson study) the case pupil.
 * @param {CaptureData} data
 * @param {CaptureActions} actions
 * @param {HTMLTextAreaElement} text the box whose prompt follows the kind
 */
function captureChips(data, actions, text) {
  const categoryChips = chips('Kind of note', data.categories, data.category, (value) => {
    text.placeholder = CATEGORY_PROMPTS[/** @type {keyof typeof CATEGORY_PROMPTS} */ (value)];
    actions.onCategory(value);
  }, { name: 'category', keepFocus: true, hideLegend: true, className: 'chips-compact' });
  const pupilChips = data.isStudy
    ? chips('Case pupil', [{ value: '', label: 'None' }, ...data.casePupils.map((p) => ({ value: p, label: p }))], data.casePupil, actions.onCasePupil, { name: 'case-pupil', keepFocus: true, className: 'chips-compact chips-inline' })
    : null;
  return { categoryChips, pupilChips };
}

/**
 * @param {CaptureData} data
 * @param {CaptureActions} actions
 */
export function mountCapture(data, actions) {
  const compose = composer(data, actions);
  const visit = h('span', { class: 'clock-text' }, `Classroom ${data.visit}`);
  const { categoryChips, pupilChips } = captureChips(data, actions, compose.text);
  const lookfors = h('ul', { class: 'lookfors' });
  const notesHeading = h('h2', null, 'Notes');
  const onlyMine = onlyMineSwitch(data.onlyMine, actions.onOnlyMine);
  const notes = h('ol', { class: 'notes', 'aria-live': 'polite' });
  const drawNotes = longList(notes, (/** @type {NoteItem} */ note) => noteItem(note, actions), { first: 40, empty: 'Notes appear here, newest first: yours and your partners’.' });
  const top = captureTop(data, actions, visit);
  const node = h('div', { class: 'screen capture' }, top.node,
    data.isWalk ? h('section', { class: 'section' }, h('h2', null, 'Look-fors in this classroom'), lookfors) : null,
    categoryChips, pupilChips, compose.node, h('section', { class: 'section' }, h('div', { class: 'notes-head' }, notesHeading, onlyMine.node), notes));

  /** @param {CaptureData} next */
  function update(next) {
    top.clock.update(next.clockStartedAt);
    visit.textContent = `Classroom ${next.visit}`;
    choose(categoryChips, next.category);
    if (pupilChips) choose(pupilChips, next.casePupil);
    compose.quick.update(next.phrases);
    onlyMine.box.checked = next.onlyMine;
    onlyMine.node.hidden = !next.partners;
    replace(lookfors, lookforItems(next.lookfors, actions));
    notesHeading.textContent = next.notes.length ? `Notes (${next.notes.length})` : 'Notes';
    drawNotes(next.notes.map((note) => ({ key: note.id, item: note })));
  }
  update(data);
  return {
    node,
    update,
    focus: () => compose.text.focus(),
    /** Say that the words typed so far are kept. */
    draftSaved: () => { compose.savedState.textContent = 'Kept on this device as you type. Enter saves the note.'; },
    currentText: () => compose.text.value,
    stop: () => top.clock.stop(),
  };
}
