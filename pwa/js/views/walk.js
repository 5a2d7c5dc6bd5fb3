// @ts-check
/**
 * Capture on a learning walk, classroom by classroom: the classroom being visited (its year
 * group and team, one tap each, and its class if wanted), big seen / partly / not seen buttons
 * per look-for, a short note, and every earlier classroom, any of which can be reopened and
 * corrected. The controller (screens/walk.js) writes; this module only draws. A walk has no
 * observed teacher: nothing here names anyone.
 */

import { chips, choose, empty, field, h, icon, longList, replace } from '../dom.js';
import { RATINGS } from '../model.js';
import { noteDelivery } from './capture.js';
import { editable } from './note-edit.js';

/**
 * @typedef {{id: string, number: number, time: string, yearGroup: string, teamId: string,
 *   teamName: string, classLabel: string, ticks: number, notes: number}} VisitItem
 * @typedef {{id: string, text: string, category: string, categoryLabel: string, minute: number | null,
 *   delivery: string, deliveryLabel: string, problem: string | null, canEdit: boolean, canDelete: boolean}} WalkNote
 * @typedef {{
 *   title: string, focus: string, route: string, visits: VisitItem[], current: VisitItem | null,
 *   canEditVisit: boolean, yearGroups: string[], teams: {id: string, name: string}[],
 *   lookfors: {id: string, text: string, rating: string | null}[], notes: WalkNote[],
 *   text: string, draftKey: string
 * }} WalkData
 * @typedef {{
 *   onNewVisit: () => void, onOpenVisit: (id: string) => void,
 *   onVisit: (fields: Record<string, string | null>) => void,
 *   onRate: (lookforId: string, rating: string) => void, onSave: (text: string) => Promise<boolean>
 * } & import('./note-edit.js').NoteEditActions} WalkActions
 */

/**
 * "Year 3 · Maths team · 3B" (what is known of the classroom).
 * @param {VisitItem} visit
 */
export function visitLine(visit) {
  return [visit.yearGroup, visit.teamName, visit.classLabel].filter(Boolean).join(' · ') || 'Year group and team not recorded';
}

/**
 * The chips for the classroom: year group, team, each one tap.
 * @param {WalkData} data
 * @param {WalkActions} actions
 */
function classroomChips(data, actions) {
  const years = chips('Year group', [{ value: '', label: 'Not recorded' }, ...data.yearGroups.map((y) => ({ value: y, label: y }))], '',
    (value) => actions.onVisit({ year_group: value }), { name: 'visit-year', className: 'chips-compact chips-scroll' });
  const teams = chips('Team', [{ value: '', label: 'Not recorded' }, ...data.teams.map((t) => ({ value: t.id, label: t.name }))], '',
    (value) => actions.onVisit({ team_id: value || null }), { name: 'visit-team', className: 'chips-compact' });
  return { years, teams };
}

/**
 * The class of the classroom, if wanted: saved when the field is left.
 * @param {WalkActions} actions
 */
function classInput(actions) {
  // typed: saved when the field is left; while it has the focus the walk's redraws leave it alone (drawVisit)
  const input = h('input', { type: 'text', maxlength: 100, placeholder: 'e.g. 3B', name: 'visit-class' });
  input.addEventListener('change', () => actions.onVisit({ class_label: input.value.trim() }));
  return input;
}

/**
 * The look-fors, each with its three big buttons for this classroom.
 * @param {WalkData['lookfors']} lookfors
 * @param {WalkActions} actions
 */
function lookforButtons(lookfors, actions) {
  if (!lookfors.length) return h('li', null, empty('This focus has no look-fors yet. A lead adds them on the Lead screen.'));
  return lookfors.map((look) => h('li', { class: 'lookfor walk-lookfor' },
    h('p', { class: 'lookfor-text' }, look.text),
    h('div', { class: 'rating-row big', role: 'group', 'aria-label': look.text },
      Object.entries(RATINGS).map(([value, label]) => h('button', {
        type: 'button', class: `rating rating-${value}`, 'aria-pressed': String(look.rating === value),
        onclick: () => actions.onRate(look.id, value),
      }, label)))));
}

/**
 * A short note on this classroom: Enter or Save keeps it (the words are a draft as typed).
 * @param {WalkData} data
 * @param {WalkActions} actions
 */
function shortNote(data, actions) {
  const text = h('textarea', { id: 'note-text', class: 'walk-note', rows: 2, maxlength: 10000, placeholder: 'A short note on this classroom…', 'aria-label': 'Note on this classroom', dataset: { draft: data.draftKey } });
  text.value = data.text;
  const save = async () => {
    const value = text.value;
    if (!value.trim()) return text.focus();
    if (await actions.onSave(value)) text.value = text.value.startsWith(value) ? text.value.slice(value.length).trimStart() : text.value;
    if (text.value) text.dispatchEvent(new Event('input', { bubbles: true }));
  };
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save();
    }
  });
  const button = h('button', { type: 'button', class: 'button primary', id: 'save-note', onclick: save }, 'Save note');
  return { text, node: h('div', { class: 'compose' }, text, h('div', { class: 'compose-row' }, h('span', { class: 'saved-state' }, 'Kept on this device as you type.'), button)) };
}

/**
 * One note of this classroom, with its Edit where `can` allows.
 * @param {WalkNote} note
 * @param {WalkActions} actions
 */
function walkNote(note, actions) {
  const row = h('li', { class: 'note', dataset: { id: note.id, delivery: note.delivery } },
    h('div', { class: 'note-head' }, h('span', { class: `tag cat-${note.category}` }, note.categoryLabel)),
    h('p', { class: 'note-text' }, note.text), noteDelivery(/** @type {any} */ (note)));
  return note.canEdit ? editable(row, note, actions) : row;
}

/**
 * Every classroom so far; the one open now is marked, any other reopens with one tap.
 * @param {WalkData} data
 * @param {WalkActions} actions
 */
function visitList(data, actions) {
  if (!data.visits.length) return h('li', null, empty('No classrooms yet. Start the first when you walk in.'));
  return data.visits.map((v) => {
    const open = data.current !== null && v.id === data.current.id;
    return h('li', { class: ['visit-row', open ? 'open' : null], dataset: { id: v.id } },
      h('span', { class: 'visit-name' }, `Classroom ${v.number}`, h('span', { class: 'row-meta' }, ` · ${v.time}`)),
      h('span', { class: 'row-meta' }, `${visitLine(v)} · ${v.ticks} ${v.ticks === 1 ? 'tick' : 'ticks'}${v.notes ? `, ${v.notes} ${v.notes === 1 ? 'note' : 'notes'}` : ''}`),
      open ? h('span', { class: 'tag' }, 'Open now')
        : h('button', { type: 'button', class: 'button small', onclick: () => actions.onOpenVisit(v.id), 'aria-label': `Reopen classroom ${v.number}` }, 'Reopen'));
  });
}

/**
 * The parts of the screen that are made once (so typing is never interrupted by a redraw).
 * @param {WalkData} data
 * @param {WalkActions} actions
 */
function walkParts(data, actions) {
  const { years, teams } = classroomChips(data, actions);
  const notes = h('ol', { class: 'notes' });
  return {
    notes, drawNotes: longList(notes, (/** @type {WalkNote} */ n) => walkNote(n, actions), { first: 40, empty: 'Notes on this classroom appear here.' }),
    heading: h('h2', { class: 'visit-heading' }), years, teams, classLabel: classInput(actions),
    lookfors: h('ul', { class: 'lookfors' }), note: shortNote(data, actions),
    visits: h('ul', { class: 'visits' }), start: h('div', { class: 'visit-start' }),
    newVisit: h('button', { type: 'button', class: 'button primary wide', onclick: actions.onNewVisit }, icon('plus'), 'Next classroom'),
  };
}

/**
 * @param {WalkData} data
 * @param {WalkActions} actions
 */
export function mountWalk(data, actions) {
  const parts = walkParts(data, actions);
  const visit = h('section', { class: 'card visit-card' }, parts.heading,
    h('div', { class: 'visit-where' }, parts.years, parts.teams, field('Class (if wanted)', parts.classLabel)),
    h('h3', null, 'Look-fors in this classroom'), parts.lookfors, parts.note.node, parts.notes);
  const node = h('div', { class: 'screen capture walk' },
    h('p', { class: 'card-meta walk-focus' }, h('span', { class: 'label' }, 'Focus: '), data.focus || 'No focus chosen',
      data.route ? h('span', null, h('br'), h('span', { class: 'label' }, 'Route: '), data.route) : null),
    parts.start, visit, parts.newVisit, h('section', { class: 'section' }, h('h2', null, 'Classrooms on this walk'), parts.visits));
  /** @param {WalkData} next */
  function update(next) {
    visit.hidden = !next.current;
    replace(parts.start, next.current ? null : h('p', { class: 'hint' }, 'Tap “Next classroom” as you walk into the first one.'));
    if (next.current) drawVisit(parts, next, actions);
    replace(parts.visits, visitList(next, actions));
  }
  update(data);
  return { node, update, focus: () => parts.note.text.focus(), currentText: () => parts.note.text.value };
}

/**
 * The open classroom's heading, chips, class, look-fors and notes.
 * @param {ReturnType<typeof walkParts>} parts
 * @param {WalkData} next
 * @param {WalkActions} actions
 */
function drawVisit(parts, next, actions) {
  const current = /** @type {VisitItem} */ (next.current);
  parts.heading.textContent = `Classroom ${current.number} · ${current.time}`;
  choose(parts.years, current.yearGroup);
  showChosen(parts.years);
  choose(parts.teams, current.teamId);
  for (const input of [parts.years, parts.teams].flatMap((set) => [...set.querySelectorAll('input')])) {
    /** @type {HTMLInputElement} */ (input).disabled = !next.canEditVisit;
  }
  parts.classLabel.disabled = !next.canEditVisit;
  if (document.activeElement !== parts.classLabel) parts.classLabel.value = current.classLabel;
  replace(parts.lookfors, lookforButtons(next.lookfors, actions));
  parts.drawNotes(next.notes.map((n) => ({ key: n.id, item: n })));
}

/**
 * @typedef {{lookfors: {text: string, seen: number, partly: number, not_seen: number}[],
 *   visits: (VisitItem & {seen: number, partly: number, not_seen: number})[]}} WalkSummary
 */

/**
 * A walk's tallies on its review: per look-for (a table whose headers never break inside a
 * word, even at 390 px) and per classroom.
 * @param {WalkSummary} walk
 */
export function walkTallies(walk) {
  const head = h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Look-for'),
    ...Object.values(RATINGS).map((label) => h('th', { scope: 'col', class: 'count' }, label))));
  const rows = walk.lookfors.map((t) => h('tr', null, h('th', { scope: 'row' }, t.text),
    h('td', null, t.seen), h('td', null, t.partly), h('td', null, t.not_seen)));
  return h('div', { class: 'walk-tallies' },
    walk.lookfors.length ? h('section', { class: 'section' }, h('h2', null, 'Look-fors on this walk'), h('table', { class: 'tally walk-tally' }, head, h('tbody', null, rows))) : null,
    walk.visits.length ? h('section', { class: 'section' }, h('h2', null, `Classrooms (${walk.visits.length})`),
      h('ul', { class: 'rows visit-tally' }, walk.visits.map((v) => h('li', { class: 'visit-row', dataset: { id: v.id } },
        h('span', { class: 'visit-name' }, `Classroom ${v.number}`, h('span', { class: 'row-meta' }, ` · ${v.time}`)),
        h('span', { class: 'row-meta' }, visitLine(v)),
        h('span', { class: 'visit-counts' }, `${v.seen} seen · ${v.partly} partly · ${v.not_seen} not seen`))))) : null);
}

/**
 * Scroll a row of chips sideways so that the chosen one shows (the page itself stays put).
 * @param {HTMLElement} set
 */
function showChosen(set) {
  const row = /** @type {HTMLElement | null} */ (set.querySelector('.chip-row'));
  const chip = /** @type {HTMLElement | null} */ (set.querySelector('input:checked')?.closest('.chip') || null);
  if (row && chip) row.scrollLeft = Math.max(0, chip.offsetLeft - row.offsetLeft - 16);
}
