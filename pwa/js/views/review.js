// @ts-check
/**
 * Review: everyone's notes merged in time order, strengths, wonderings and the observed
 * teacher's reflection, agreed next steps, sharing with leads, and conflicts shown at the field
 * two people changed at once (views/conflict.js). Every control shows only where the record's
 * `can` allows it (js/can.js): a note's Edit, the text areas, Add next step, the sharing
 * switch; the rest is there to read. Notes are edited in place (views/note-edit.js).
 */

import { chips, empty, field, h, icon, longList, replace, section } from '../dom.js';
import { RATINGS } from '../model.js';
import { noteDelivery } from './capture.js';
import { markField } from './conflict.js';
import { editable } from './note-edit.js';
import { notePhotoList } from './photos.js';
import { stepRow } from './today.js';
import { walkTallies } from './walk.js';

/**
 * @typedef {{id: string, time: string, minute: number | null, author: string, mine: boolean,
 *   authorId: string, category: string, categoryLabel: string, text: string, casePupil: string,
 *   rating: string | null, lookfor: string | null, delivery: string, deliveryLabel: string,
 *   problem: string | null, canEdit: boolean, canDelete: boolean,
 *   photos?: import('./photos.js').PhotoItem[]}} NoteRow
 * @typedef {import('./conflict.js').FieldConflict} ConflictCard
 * @typedef {{
 *   header: {title: string, kind: string, when: string, place: string, people: {name: string, role: string}[],
 *     focus: string | null, question: string, intention: string},
 *   status: string, statusLabel: string, conflicts: ConflictCard[], notes: NoteRow[],
 *   notesTotal: number, complete: boolean,
 *   authors: {id: string, name: string}[], categories: {value: string, label: string}[],
 *   fields: {strengths: string, wonderings: string, reflection: string}, canReflect: boolean,
 *   observeeName: string, steps: import('./today.js').StepItem[], participants: {id: string, name: string}[],
 *   isObservee: boolean, shared: boolean, walk: import('./walk.js').WalkSummary | null,
 *   online: boolean, canCapture: boolean, me: string, today: string, id: string,
 *   may: Record<string, boolean>, isWalk: boolean
 * }} ReviewData
 * @typedef {{
 *   onField: (name: string, value: string) => void, onFieldDone: (name: string) => void,
 *   onShare: (shared: boolean) => void, onAddStep: (step: {text: string, owner_id: string, due_on: string | null}) => Promise<void>,
 *   onStepDone: (id: string, done: boolean) => void, onMarkReviewed: () => void, onDownload: () => void,
 *   onOpenPhoto?: (id: string) => Promise<string | null>
 * } & import('./conflict.js').ConflictActions & import('./note-edit.js').NoteEditActions} ReviewActions
 */

/**
 * A note of the merged list; it gets an Edit button where the server's `can` allows.
 * @param {NoteRow} note
 * @param {ReviewActions} actions
 */
function noteRow(note, actions) {
  const row = noteBody(note, actions);
  return note.canEdit ? editable(row, note, actions) : row;
}

/**
 * @param {NoteRow} note
 * @param {ReviewActions} actions
 */
function noteBody(note, actions) {
  return h('li', { class: 'note', dataset: { id: note.id, author: note.authorId, category: note.category } },
    h('div', { class: 'note-head' },
      h('span', { class: 'minute' }, note.minute === null ? note.time : `${note.time} · ${note.minute} min`),
      h('span', { class: 'author' }, note.author),
      h('span', { class: `tag cat-${note.category}` }, note.categoryLabel),
      note.casePupil ? h('span', { class: 'tag' }, `Pupil ${note.casePupil}`) : null,
      note.rating ? h('span', { class: `tag rating-${note.rating}` }, RATINGS[/** @type {keyof typeof RATINGS} */ (note.rating)]) : null),
    note.lookfor ? h('p', { class: 'note-lookfor' }, note.lookfor) : null,
    note.text ? h('p', { class: 'note-text' }, note.text) : null,
    notePhotoList(note.photos, note.text, actions.onOpenPhoto), // its photos (issue 16)
    note.mine && note.delivery !== 'delivered' ? noteDelivery(/** @type {any} */ (note)) : null);
}

/**
 * A text area that saves as the person types (and at once when they leave it); sync
 * refreshes it only while it does not have the focus.
 * @param {string} name
 * @param {string} value
 * @param {ReviewActions} actions
 * @param {string} placeholder
 * @param {string} key its draft's key
 */
function liveText(name, value, actions, placeholder, key) {
  const area = h('textarea', { name, rows: 4, maxlength: 20000, placeholder, dataset: { draft: key } });
  area.value = value;
  area.addEventListener('input', () => actions.onField(name, area.value));
  area.addEventListener('blur', () => actions.onFieldDone(name));
  return area;
}

/**
 * The form that adds an agreed next step; `stepOwner` lists the participants on each update.
 * @param {ReviewData} data
 * @param {ReviewActions} actions
 */
function stepForm(data, actions) {
  const stepText = h('input', { type: 'text', maxlength: 20000, placeholder: 'e.g. Try a hinge question before the task', dataset: { draft: `review/${data.id}/new-step` } });
  // typed: Review is mounted once; update() keeps the owner chosen and never touches the date
  const stepOwner = h('select', null);
  const stepDue = h('input', { type: 'date', min: data.today });
  const form = h('form', {
    class: 'add-step', onsubmit: async (/** @type {Event} */ e) => {
      e.preventDefault();
      if (!stepText.value.trim()) return stepText.focus();
      await actions.onAddStep({ text: stepText.value.trim(), owner_id: stepOwner.value, due_on: stepDue.value || null });
      stepText.value = '';
      stepDue.value = '';
    },
  }, field('Next step', stepText), h('div', { class: 'field-row' }, field('Whose step', stepOwner), field('By when', stepDue)),
  h('button', { type: 'submit', class: 'button' }, 'Add next step'));
  return { form, stepOwner };
}

/**
 * The merged notes, filtered by kind and by author; `update` takes new data.
 * @param {ReviewData} data
 * @param {ReviewActions} actions
 */
function notesPanel(data, actions) {
  let category = 'all';
  let author = 'all';
  let latest = data;
  const heading = h('h2', null, 'Notes');
  const list = h('ol', { class: 'notes merged' });
  // typed: update() redraws the options with the one chosen (`author`) still selected
  const personFilter = h('select', { 'aria-label': 'Whose notes', onchange: () => { author = personFilter.value; draw(); } });
  const categoryFilter = h('div', { class: 'filter-slot' });
  const drawList = longList(list, (/** @type {NoteRow} */ note) => noteRow(note, actions), { first: 60, empty: 'No notes match.' });
  function draw() {
    const everything = category === 'all' && author === 'all';
    const shown = latest.notes.filter((n) => (category === 'all' || n.category === category) && (author === 'all' || n.authorId === author));
    heading.textContent = everything ? `Notes (${latest.notesTotal})` : `Notes (${shown.length} of ${latest.notesTotal})`;
    list.dataset.total = String(latest.notesTotal);
    drawList(shown.map((note) => ({ key: note.id, item: note })));
    if (!latest.complete) list.dataset.complete = 'false';
  }
  /** @param {ReviewData} next */
  function update(next) {
    latest = next;
    replace(personFilter, h('option', { value: 'all' }, 'Everyone'), next.authors.map((a) => h('option', { value: a.id, selected: a.id === author }, a.name)));
    replace(categoryFilter, chips('Show', [{ value: 'all', label: 'All' }, ...next.categories], category, (value) => { category = value; draw(); }, { name: 'note-filter', className: 'chips-scroll' }));
    draw();
  }
  const node = h('section', { class: 'section' }, heading, categoryFilter, field('Whose notes', personFilter), list);
  return { node, update };
}

const TALK_FIELDS = new Set(['strengths', 'wonderings', 'reflection']);

/**
 * The summary at the top; a value two people changed at once (title, class, status...) shows
 * there, marked, with its versions.
 * @param {ReviewData} data
 * @param {ReviewActions} actions
 */
function summary(data, actions) {
  const { header, statusLabel } = data;
  const values = data.conflicts.filter((c) => !TALK_FIELDS.has(c.field)).map((card) =>
    markField(h('div', { class: 'field value-field' }, h('p', { class: 'label' }, card.label)), card, actions));
  return h('header', { class: 'card summary' },
    h('p', { class: 'card-kicker' }, `${header.kind} · ${statusLabel}`),
    h('p', { class: 'card-meta' }, header.when),
    header.place ? h('p', { class: 'card-meta' }, header.place) : null,
    h('ul', { class: 'plain people-line' }, header.people.map((p) => h('li', null, h('strong', null, p.name), ` · ${p.role}`))),
    header.focus ? h('p', { class: 'focus-line' }, h('span', { class: 'label' }, 'Focus: '), header.focus) : null,
    header.question ? h('blockquote', { class: 'question' }, h('span', { class: 'label' }, 'Their question: '), header.question) : null,
    header.intention ? h('p', { class: 'card-meta' }, h('span', { class: 'label' }, 'Learning intention: '), header.intention) : null,
    values);
}

/** @param {ReviewData} next @param {ReviewActions} actions */
function finishButtons(next, actions) {
  return [
    next.status === 'reviewed' ? h('p', { class: 'done-line' }, icon('check'), 'Reviewed together.')
      : next.may.edit ? h('button', { type: 'button', class: 'button primary wide', onclick: actions.onMarkReviewed }, icon('check'), 'Mark as reviewed') : null,
    next.canCapture ? h('a', { class: 'button wide', href: `#/capture/${next.id}` }, 'Add more notes') : null,
    h('button', { type: 'button', class: 'button wide', disabled: !next.online, onclick: actions.onDownload }, icon('download'), 'Download as PDF'),
    next.online ? null : h('p', { class: 'hint' }, 'Downloads need a connection. You are offline now.'),
  ];
}

/**
 * The observed teacher writes the reflection (in `wrap`, made once so that the text area is
 * never moved while someone types in it); everyone else reads it.
 * @param {ReviewData} next
 * @param {HTMLElement} wrap
 */
function reflectionField(next, wrap) {
  if (next.isWalk) return null; // a walk has no observed teacher to reflect
  return next.canReflect
    ? wrap
    : readOnly(`${next.observeeName}’s reflection`, next.fields.reflection || `${next.observeeName} has not written a reflection yet.`);
}

/**
 * A talk-through field to read only (where the server's `can` does not allow editing).
 * @param {string} label
 * @param {string} text
 */
function readOnly(label, text) {
  return h('div', { class: 'field' }, h('p', { class: 'label' }, label), h('p', { class: 'read-only' }, text));
}

/**
 * Strengths or wonderings: its text area where `can.edit` allows, else its words to read.
 * @param {ReviewData} next
 * @param {'strengths' | 'wonderings'} name
 * @param {HTMLElement} wrap
 */
function talkField(next, name, wrap) {
  if (next.may.edit) return wrap;
  return readOnly(name === 'strengths' ? 'Strengths' : 'Wonderings', next.fields[name] || 'Nothing written yet.');
}

/** @param {HTMLTextAreaElement} area @param {string} value */
function refreshText(area, value) {
  if (document.activeElement !== area && area.value !== value) area.value = value;
}

/**
 * Strengths, wonderings and the reflection, each in its labelled field (made once).
 * @param {ReviewData} data
 * @param {ReviewActions} actions
 */
function talkFields(data, actions) {
  const text = (/** @type {'strengths' | 'wonderings' | 'reflection'} */ name, /** @type {string} */ placeholder) =>
    liveText(name, data.fields[name], actions, placeholder, `observation/${data.id}/${name}`);
  const strengths = text('strengths', 'What went well, with the evidence for it');
  const wonderings = text('wonderings', 'Questions to talk about together');
  const reflection = text('reflection', 'What you noticed, and what you want to try next');
  const wraps = {
    strengths: field('Strengths', strengths, 'What went well, with the evidence.'),
    wonderings: field('Wonderings', wonderings, 'Questions to explore together.'),
    reflection: field('Your reflection', reflection, 'Yours to write: what you noticed and what you will try next.'),
  };
  return { strengths, wonderings, reflection, wraps };
}

/**
 * @param {ReviewData} data
 * @param {ReviewActions} actions
 */
export function mountReview(data, actions) {
  const top = h('div');
  const notes = notesPanel(data, actions);
  const { strengths, wonderings, reflection, wraps } = talkFields(data, actions);
  const [reflectionSlot, shareSlot, tallies, strengthsSlot, wonderingsSlot, stepSlot] = [h('div'), h('div'), h('div'), h('div'), h('div'), h('div')];
  const steps = h('ul', { class: 'steps' });
  const finish = h('div', { class: 'actions' });
  const addStep = stepForm(data, actions);

  /** @param {ReviewData} next */
  function update(next) {
    replace(top, summary(next, actions));
    notes.update(next);
    refreshText(strengths, next.fields.strengths);
    refreshText(wonderings, next.fields.wonderings);
    refreshText(reflection, next.fields.reflection);
    const shown = reflectionField(next, wraps.reflection);
    if (reflectionSlot.firstChild !== shown) replace(reflectionSlot, shown);
    const slots = /** @type {const} */ ([[strengthsSlot, 'strengths'], [wonderingsSlot, 'wonderings']]);
    for (const [slot, name] of slots) {
      const talk = talkField(next, name, wraps[name]);
      if (slot.firstChild !== talk) replace(slot, talk);
    }
    if (stepSlot.firstChild !== (next.may.add_notes ? addStep.form : null)) replace(stepSlot, next.may.add_notes ? addStep.form : null);
    for (const [name, wrap] of Object.entries(wraps)) markField(wrap, next.conflicts.find((c) => c.field === name), actions);
    replace(steps, next.steps.length ? next.steps.map((s) => stepRow(s, actions.onStepDone)) : h('li', null, empty('No next steps agreed yet.')));
    const owner = addStep.stepOwner.value;
    replace(addStep.stepOwner, next.participants.map((p) => h('option', { value: p.id, selected: owner ? p.id === owner : p.id === next.me }, p.name)));
    replace(shareSlot, shareControl(next, actions));
    replace(tallies, next.walk ? walkTallies(next.walk) : null);
    replace(finish, finishButtons(next, actions));
  }

  const node = h('div', { class: 'screen review' },
    top, notes.node, tallies,
    section('Talking it through', strengthsSlot, wonderingsSlot, reflectionSlot),
    section('Agreed next steps', steps, stepSlot),
    shareSlot,
    finish);
  update(data);
  return { node, update };
}

/**
 * Sharing with leads: a switch for the observed teacher, a plain sentence for everyone else.
 * @param {ReviewData} data
 * @param {ReviewActions} actions
 */
function shareControl(data, actions) {
  if (!data.may.share) return section('Who can see this', h('p', null, sharingSentence(data)));
  const toggle = h('input', { type: 'checkbox', role: 'switch', checked: data.shared, onchange: () => actions.onShare(toggle.checked) });
  return section('Who can see this',
    h('label', { class: 'switch' }, toggle, h('span', { class: 'switch-track', 'aria-hidden': 'true' }), h('span', null, 'Share with leads')),
    h('p', { class: 'hint' }, data.shared
      ? 'Leads can read this observation and its notes. Switch off to make it private to the people taking part again.'
      : data.isObservee ? 'Only the people taking part can see this. It is your record: you decide.' : 'Only the people taking part can see this.'));
}

/**
 * Who can see it, in words, for someone who cannot change it (a walk has no observed teacher).
 * @param {ReviewData} data
 */
function sharingSentence(data) {
  if (data.isWalk) {
    return data.shared ? 'This walk is shared with the school’s leads.' : 'Only the people on this walk can see it.';
  }
  return data.shared ? `${data.observeeName} has shared this with the school’s leads.` : `Only the people taking part. ${data.observeeName} decides whether leads see it.`;
}
