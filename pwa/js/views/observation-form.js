// @ts-check
/** New observation: what kind, when, who takes part and in what role, the focus and the question. */

import { chips, empty, field, h, replace } from '../dom.js';
import { DEFAULT_ROLES, KINDS, KIND_HINTS, ROLES, suggestedTitle } from '../model.js';

/**
 * @typedef {{id: string, name: string, detail: string}} Person
 * @typedef {{
 *   me: Person, people: Person[], schoolFocuses: {id: string, title: string}[],
 *   myFocuses: {id: string, title: string}[], startsAt: string
 * }} FormData
 */

const YEAR_GROUPS = ['Reception', ...Array.from({ length: 13 }, (_, i) => `Year ${i + 1}`)];

/**
 * @param {string} value
 * @param {string} label
 * @param {string} selected
 */
function option(value, label, selected) {
  return h('option', { value, selected: value === selected }, label);
}

/**
 * @param {FormData} data
 * @param {{onCreate: (fields: Record<string, any>, startNow: boolean) => Promise<string | null>}} actions
 */
export function renderObservationForm(data, actions) {
  let kind = 'peer_observation';
  /** @type {{user_id: string, role: string}[]} */
  let participants = [{ user_id: data.me.id, role: DEFAULT_ROLES.peer_observation[0] }];
  let casePupils = ['A', 'B', 'C'];
  const names = new Map([[data.me.id, data.me.name], ...data.people.map((p) => /** @type {[string, string]} */ ([p.id, p.name]))]);

  const kindHint = h('p', { class: 'hint' }, KIND_HINTS.peer_observation);
  const kindChips = chips('What kind of observation?', Object.entries(KINDS).map(([value, label]) => ({ value, label })), kind, (value) => {
    kind = value;
    const [mine, theirs] = DEFAULT_ROLES[/** @type {keyof typeof DEFAULT_ROLES} */ (kind)];
    participants = participants.map((p) => ({ ...p, role: p.user_id === data.me.id ? mine : theirs }));
    kindHint.textContent = KIND_HINTS[/** @type {keyof typeof KIND_HINTS} */ (kind)];
    pupilsField.hidden = kind !== 'lesson_study';
    drawPeople();
  }, { name: 'kind', className: 'chips-stack' });

  const title = h('input', { type: 'text', name: 'title', maxlength: 200, placeholder: 'e.g. Maths with 8R' });
  const startsAt = h('input', { type: 'datetime-local', name: 'starts_at', value: data.startsAt, required: true });
  const classLabel = h('input', { type: 'text', name: 'class_label', maxlength: 100, placeholder: 'e.g. 8R' });
  const subject = h('input', { type: 'text', name: 'subject', maxlength: 100, placeholder: 'e.g. Maths' });
  const yearGroup = h('select', { name: 'year_group' }, option('', 'Choose…', ''), YEAR_GROUPS.map((y) => option(y, y, '')));
  const focus = h('select', { name: 'focus' },
    option('', 'No focus yet', ''),
    data.schoolFocuses.length ? h('optgroup', { label: 'School focuses' }, data.schoolFocuses.map((f) => option(f.id, f.title, ''))) : null,
    data.myFocuses.length ? h('optgroup', { label: 'My focuses' }, data.myFocuses.map((f) => option(f.id, f.title, ''))) : null);
  const question = h('textarea', { name: 'focus_question', rows: 2, maxlength: 20000, placeholder: 'e.g. How can I get every pupil thinking during questioning?' });
  const intention = h('textarea', { name: 'learning_intention', rows: 2, maxlength: 20000, placeholder: 'What pupils are learning in this lesson' });

  const peopleList = h('ul', { class: 'people' });
  const search = h('input', { type: 'search', placeholder: 'Start typing a name', autocomplete: 'off', 'aria-controls': 'people-results' });
  const results = h('ul', { class: 'people-results', id: 'people-results', 'aria-live': 'polite' });
  search.addEventListener('input', drawResults);

  function drawPeople() {
    replace(peopleList, participants.map((p, index) => {
      const role = h('select', { 'aria-label': `Role of ${names.get(p.user_id)}`, onchange: () => { participants[index].role = role.value; } },
        Object.entries(ROLES).map(([value, label]) => option(value, label, p.role)));
      const remove = p.user_id === data.me.id ? h('span', { class: 'you' }, 'You')
        : h('button', { type: 'button', class: 'button small quiet', onclick: () => { participants.splice(index, 1); drawPeople(); drawResults(); } }, 'Remove');
      return h('li', { class: 'person' }, h('span', { class: 'person-name' }, names.get(p.user_id) || 'Someone'), role, remove);
    }));
  }

  function drawResults() {
    const term = search.value.trim().toLowerCase();
    const chosen = new Set(participants.map((p) => p.user_id));
    if (!term) {
      replace(results);
      return;
    }
    const matches = data.people.filter((p) => !chosen.has(p.id) && p.name.toLowerCase().includes(term)).slice(0, 8);
    replace(results, matches.length ? matches.map((p) => h('li', null, h('button', {
      type: 'button', class: 'person-add',
      onclick: () => {
        const theirs = DEFAULT_ROLES[/** @type {keyof typeof DEFAULT_ROLES} */ (kind)][1];
        participants.push({ user_id: p.id, role: theirs });
        search.value = '';
        drawPeople();
        drawResults();
      },
    }, h('span', { class: 'person-name' }, p.name), h('span', { class: 'person-detail' }, p.detail), h('span', { class: 'add' }, 'Add')))) : h('li', null, empty('No one else by that name.')));
  }

  const pupilsList = h('ul', { class: 'pupil-tags' });
  const pupilInput = h('input', { type: 'text', maxlength: 20, placeholder: 'e.g. D', 'aria-label': 'New case pupil label' });
  function drawPupils() {
    replace(pupilsList, casePupils.map((label, index) => h('li', null, h('span', null, `Pupil ${label}`),
      h('button', { type: 'button', class: 'tag-remove', 'aria-label': `Remove pupil ${label}`, onclick: () => { casePupils.splice(index, 1); drawPupils(); } }, '×'))));
  }
  const pupilsField = h('fieldset', { class: 'group', hidden: true },
    h('legend', null, 'Case pupils'),
    h('p', { class: 'hint' }, 'Short labels such as A, B, C. Never pupils’ names.'),
    pupilsList,
    h('div', { class: 'inline-add' }, pupilInput, h('button', {
      type: 'button', class: 'button small',
      onclick: () => {
        const label = pupilInput.value.trim();
        if (label && !casePupils.includes(label)) casePupils.push(label);
        pupilInput.value = '';
        drawPupils();
      },
    }, 'Add')));

  const error = h('p', { class: 'form-error', role: 'alert' });
  const save = async (/** @type {boolean} */ startNow) => {
    const fields = {
      kind, title: title.value.trim(), starts_at: new Date(startsAt.value || Date.now()).toISOString(),
      class_label: classLabel.value.trim(), subject: subject.value.trim(), year_group: yearGroup.value,
      focus_ids: focus.value ? [focus.value] : [], participants: participants.map((p) => ({ ...p })),
      focus_question: question.value.trim(), learning_intention: intention.value.trim(),
      case_pupils: kind === 'lesson_study' ? [...casePupils] : [],
      // Walk data is the school's (never a teacher's ranking): leads see it, unless someone
      // observed is listed, who then decides.
      status: 'draft',
      visibility: kind === 'learning_walk' && !participants.some((p) => p.role === 'observee') ? 'leads' : 'participants',
    };
    if (!fields.title && kind === 'learning_walk' && focus.value) {
      fields.title = `Learning walk: ${focus.selectedOptions[0].textContent}`.slice(0, 200);
    }
    if (!fields.title) fields.title = suggestedTitle(fields);
    if (kind !== 'learning_walk' && participants.length < 2) {
      error.textContent = 'Add the colleague you are working with, so they see the notes too.';
      search.focus();
      return;
    }
    if (kind === 'learning_walk' && !focus.value) {
      error.textContent = 'Choose the school focus for this walk: its look-fors are what you tick.';
      focus.focus();
      return;
    }
    error.textContent = (await actions.onCreate(fields, startNow)) || '';
  };
  drawPeople();
  drawResults();
  drawPupils();
  return h('form', { class: 'screen form', novalidate: true, onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); save(true); } },
    kindChips, kindHint,
    h('fieldset', { class: 'group' }, h('legend', null, 'Who is taking part?'), peopleList,
      field('Add a colleague', search), results),
    field('When', startsAt),
    h('div', { class: 'field-row' }, field('Class', classLabel), field('Subject', subject)),
    field('Year group', yearGroup),
    field('Focus', focus, 'A school focus, or one of your own.'),
    field('The observed teacher’s question', question, 'The question they want help with. They choose it.'),
    field('Learning intention', intention),
    pupilsField,
    field('Title', title, 'Leave empty for a title from the subject and class.'),
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary wide' }, 'Create and start capturing'),
      h('button', { type: 'button', class: 'button wide', onclick: () => save(false) }, 'Save for later')));
}
