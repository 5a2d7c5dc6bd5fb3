// @ts-check
/**
 * Editing one's own note, in its place in the list (capture and review): the text, the kind
 * of note and the lesson minute, or deleting it (with 10 seconds to undo, see undo.js). The
 * editor's fields are drafts, so it stays open with its words through redraws and reloads.
 * Other people's notes get no edit control at all.
 */

import { draftsUnder, submitted } from '../drafts.js';
import { field, h } from '../dom.js';
import { CATEGORIES } from '../model.js';

/**
 * @typedef {{id: string, text: string, category: string, minute: number | null, canDelete?: boolean}} EditableNote
 * @typedef {{onSaveNote: (id: string, changes: Record<string, any>) => Promise<void>,
 *   onDeleteNote: (id: string) => void}} NoteEditActions
 */

/** @type {Set<string>} notes whose editor is open */
const editing = new Set();
const EDITABLE = ['evidence', 'pupils', 'strength', 'wondering', 'next_step', 'prediction'];

/** @param {string} id */
export function noteKeys(id) {
  return ['text', 'category', 'minute'].map((name) => `note/${id}/${name}`);
}

/** @param {string} id the note's editor is open (or holds words not saved yet) */
function isEditing(id) {
  return editing.has(id) || draftsUnder(`note/${id}/`).length > 0;
}

/** @param {EditableNote} note */
function editorInputs(note) {
  const [textKey, categoryKey, minuteKey] = noteKeys(note.id);
  const text = h('textarea', { rows: 4, maxlength: 10000, dataset: { draft: textKey } });
  text.value = note.text;
  const kinds = EDITABLE.includes(note.category) ? EDITABLE : [note.category];
  const category = h('select', { dataset: { draft: categoryKey }, disabled: kinds.length === 1 },
    kinds.map((value) => h('option', { value, selected: value === note.category }, CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (value)] || value)));
  const minute = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', maxlength: 3, dataset: { draft: minuteKey } });
  minute.value = note.minute === null ? '' : String(note.minute);
  return { text, category, minute };
}

/**
 * What the editor changes, or a reason it cannot be saved.
 * @param {EditableNote} note
 * @param {ReturnType<typeof editorInputs>} inputs
 */
function changesOf(note, inputs) {
  const minuteText = inputs.minute.value.trim();
  if (minuteText && !/^\d{1,3}$/.test(minuteText)) return { problem: 'The minute is a whole number, such as 12.' };
  if (!inputs.text.value.trim() && note.category !== 'lookfor') return { problem: 'Write something, or delete the note.' };
  /** @type {Record<string, any>} */
  const changes = {};
  if (inputs.text.value !== note.text) changes.text = inputs.text.value;
  if (inputs.category.value !== note.category) changes.category = inputs.category.value;
  const minute = minuteText ? Number(minuteText) : null;
  if (minute !== note.minute) changes.minute = minute;
  return { changes };
}

/**
 * Open the editor in the note's row (its own content comes back on Cancel).
 * @param {HTMLElement} row
 * @param {EditableNote} note
 * @param {NoteEditActions} actions
 */
function openEditor(row, note, actions) {
  editing.add(note.id);
  const shown = [...row.childNodes];
  const inputs = editorInputs(note);
  const error = h('p', { class: 'form-error', role: 'alert' });
  const close = async () => {
    editing.delete(note.id);
    await submitted(noteKeys(note.id));
  };
  const cancel = async () => {
    await close();
    row.replaceChildren(...shown);
    /** @type {HTMLElement | null} */ (row.querySelector('button.note-edit'))?.focus();
  };
  const save = async (/** @type {Event} */ event) => {
    event.preventDefault();
    const { changes, problem } = changesOf(note, inputs);
    if (problem) return void (error.textContent = problem);
    if (!changes || !Object.keys(changes).length) return cancel();
    await close(); // before the save redraws the list, which would open the editor again
    await actions.onSaveNote(note.id, changes);
  };
  row.replaceChildren(h('form', { class: 'note-editor', 'aria-label': 'Edit your note', onsubmit: save },
    field('Note', inputs.text), h('div', { class: 'field-row' }, field('Kind of note', inputs.category), field('Lesson minute', inputs.minute)),
    error,
    h('div', { class: 'row-actions' },
      h('button', { type: 'submit', class: 'button small primary' }, 'Save changes'),
      h('button', { type: 'button', class: 'button small quiet', onclick: cancel }, 'Cancel'),
      note.canDelete === false ? null
        : h('button', { type: 'button', class: 'button small danger', onclick: async () => { await close(); actions.onDeleteNote(note.id); } }, 'Delete note'))));
}

/**
 * Give one's own note its Edit button (and its editor, if it was open when the list was drawn).
 * @param {HTMLElement} row the note's list item
 * @param {EditableNote} note
 * @param {NoteEditActions} actions
 */
export function editable(row, note, actions) {
  const button = h('button', { type: 'button', class: 'button small quiet note-edit', 'aria-label': `Edit note: ${note.text.slice(0, 60) || CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (note.category)] || 'note'}` }, 'Edit');
  button.addEventListener('click', () => openEditor(row, note, actions));
  const head = row.querySelector('.note-head');
  if (head) head.appendChild(button);
  else row.appendChild(h('div', { class: 'note-actions' }, button));
  if (isEditing(note.id)) openEditor(row, note, actions);
  return row;
}
