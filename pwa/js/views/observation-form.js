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
 * @typedef {{onCreate: (fields: Record<string, any>, startNow: boolean) => Promise<string | null>}} FormActions
 */

const TITLE_HINTS = { lesson: 'Leave empty for a title from the subject and class.', walk: 'Leave empty for “Learning walk:” and the focus.' };
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
 * What the person has chosen so far.
 * @typedef {{kind: string, participants: {user_id: string, role: string}[], casePupils: string[]}} FormState
 * @typedef {ReturnType<typeof formInputs>} FormInputs
 */

/** @param {FormData} data */
function formInputs(data) {
  return {
    title: h('input', { type: 'text', name: 'title', maxlength: 200, placeholder: 'e.g. Maths with 8R', dataset: { draft: 'new-observation/title' } }),
    // typed: the New observation screen never redraws (it has no refresh); its words have drafts
    startsAt: h('input', { type: 'datetime-local', name: 'starts_at', value: data.startsAt, required: true }),
    classLabel: h('input', { type: 'text', name: 'class_label', maxlength: 100, placeholder: 'e.g. 8R', dataset: { draft: 'new-observation/class_label' } }),
    subject: h('input', { type: 'text', name: 'subject', maxlength: 100, placeholder: 'e.g. Maths', dataset: { draft: 'new-observation/subject' } }),
    // typed: (the two choices) the New observation screen never redraws
    yearGroup: h('select', { name: 'year_group' }, option('', 'Choose…', ''), YEAR_GROUPS.map((y) => option(y, y, ''))),
    focus: h('select', { name: 'focus' },
      option('', 'No focus yet', ''),
      data.schoolFocuses.length ? h('optgroup', { label: 'School focuses' }, data.schoolFocuses.map((f) => option(f.id, f.title, ''))) : null,
      data.myFocuses.length ? h('optgroup', { label: 'My focuses' }, data.myFocuses.map((f) => option(f.id, f.title, ''))) : null),
    question: h('textarea', { name: 'focus_question', rows: 2, maxlength: 20000, placeholder: 'e.g. How can I get every pupil thinking during questioning?', dataset: { draft: 'new-observation/focus_question' } }),
    intention: h('textarea', { name: 'learning_intention', rows: 2, maxlength: 20000, placeholder: 'What pupils are learning in this lesson', dataset: { draft: 'new-observation/learning_intention' } }),
    route: walkRouteInput(),
  };
}

/**
 * A search result: the person, and a button that adds them.
 * @param {Person} p
 * @param {() => void} onclick
 */
function personResult(p, onclick) {
  return h('li', null, h('button', { type: 'button', class: 'person-add', onclick },
    h('span', { class: 'person-name' }, p.name), h('span', { class: 'person-detail' }, p.detail), h('span', { class: 'add' }, 'Add')));
}

/**
 * Who takes part: the chosen people with their roles, and a search to add colleagues.
 * @param {FormData} data
 * @param {FormState} state
 */
function peoplePicker(data, state) {
  const names = new Map([[data.me.id, data.me.name], ...data.people.map((p) => /** @type {[string, string]} */ ([p.id, p.name]))]);
  const list = h('ul', { class: 'people' });
  // typed: the New observation screen never redraws (it has no refresh)
  const search = h('input', { type: 'search', placeholder: 'Start typing a name', autocomplete: 'off', 'aria-controls': 'people-results' });
  const results = h('ul', { class: 'people-results', id: 'people-results', 'aria-live': 'polite' });
  search.addEventListener('input', drawResults);

  function drawPeople() {
    replace(list, state.participants.map((p, index) => {
      // typed: the New observation screen never redraws; the choice is kept in `state` as it is made
      const role = h('select', { 'aria-label': `Role of ${names.get(p.user_id)}`, onchange: () => { state.participants[index].role = role.value; } },
        Object.entries(ROLES).filter(([value]) => state.kind !== 'learning_walk' || value !== 'observee') // a walk watches no one
          .map(([value, label]) => option(value, label, p.role)));
      const remove = p.user_id === data.me.id ? h('span', { class: 'you' }, 'You')
        : h('button', { type: 'button', class: 'button small quiet', onclick: () => { state.participants.splice(index, 1); drawPeople(); drawResults(); } }, 'Remove');
      return h('li', { class: 'person' }, h('span', { class: 'person-name' }, names.get(p.user_id) || 'Someone'), role, remove);
    }));
  }

  function drawResults() {
    const term = search.value.trim().toLowerCase();
    const chosen = new Set(state.participants.map((p) => p.user_id));
    if (!term) {
      replace(results);
      return;
    }
    const matches = data.people.filter((p) => !chosen.has(p.id) && p.name.toLowerCase().includes(term)).slice(0, 8);
    replace(results, matches.length ? matches.map((p) => personResult(p, () => {
      const theirs = DEFAULT_ROLES[/** @type {keyof typeof DEFAULT_ROLES} */ (state.kind)][1];
      state.participants.push({ user_id: p.id, role: theirs });
      search.value = '';
      drawPeople();
      drawResults();
    })) : h('li', null, empty('No one else by that name.')));
  }

  drawPeople();
  drawResults();
  return { list, search, results, drawPeople };
}

/**
 * The case pupils of a lesson study (shown only for one).
 * @param {FormState} state
 */
function pupilsPicker(state) {
  const list = h('ul', { class: 'pupil-tags' });
  // typed: the New observation screen never redraws (it has no refresh)
  const input = h('input', { type: 'text', maxlength: 20, placeholder: 'e.g. D', 'aria-label': 'New case pupil label' });
  function draw() {
    replace(list, state.casePupils.map((label, index) => h('li', null, h('span', null, `Pupil ${label}`),
      h('button', { type: 'button', class: 'tag-remove', 'aria-label': `Remove pupil ${label}`, onclick: () => { state.casePupils.splice(index, 1); draw(); } }, '×'))));
  }
  draw();
  return h('fieldset', { class: 'group', hidden: true },
    h('legend', null, 'Case pupils'),
    h('p', { class: 'hint' }, 'Short labels such as A, B, C. Never pupils’ names.'),
    list,
    h('div', { class: 'inline-add' }, input, h('button', {
      type: 'button', class: 'button small',
      onclick: () => {
        const label = input.value.trim();
        if (label && !state.casePupils.includes(label)) state.casePupils.push(label);
        input.value = '';
        draw();
      },
    }, 'Add')));
}

/**
 * The observation's fields, from what the person chose.
 * @param {FormState} state
 * @param {FormInputs} inputs
 */
function formFields(state, inputs) {
  const { kind, participants } = state;
  const walk = kind === 'learning_walk'; // a walk has a route, and no class, subject or question
  const fields = {
    kind, title: inputs.title.value.trim(), starts_at: new Date(inputs.startsAt.value || Date.now()).toISOString(),
    class_label: walk ? inputs.route.value.trim() : inputs.classLabel.value.trim(), subject: walk ? '' : inputs.subject.value.trim(),
    year_group: walk ? '' : inputs.yearGroup.value,
    focus_ids: inputs.focus.value ? [inputs.focus.value] : [], participants: participants.map((p) => ({ ...p })),
    focus_question: walk ? '' : inputs.question.value.trim(), learning_intention: walk ? '' : inputs.intention.value.trim(),
    case_pupils: kind === 'lesson_study' ? [...state.casePupils] : [],
    // Walk data is the school's (never a teacher's ranking): leads see it, unless someone
    // observed is listed, who then decides.
    status: 'draft',
    visibility: kind === 'learning_walk' && !participants.some((p) => p.role === 'observee') ? 'leads' : 'participants',
  };
  if (!fields.title && kind === 'learning_walk' && inputs.focus.value) {
    fields.title = `Learning walk: ${inputs.focus.selectedOptions[0].textContent}`.slice(0, 200);
  }
  if (!fields.title) fields.title = suggestedTitle(fields);
  return fields;
}

/**
 * What is missing before the observation can be created, and where to put it; null if nothing.
 * @param {FormState} state
 * @param {FormInputs} inputs
 * @param {HTMLElement} search
 * @returns {{message: string, at: HTMLElement} | null}
 */
function missing(state, inputs, search) {
  if (state.kind !== 'learning_walk' && state.participants.length < 2) {
    return { message: 'Add the colleague you are working with, so they see the notes too.', at: search };
  }
  if (state.kind === 'learning_walk' && !inputs.focus.value) {
    return { message: 'Choose the school focus for this walk: its look-fors are what you tick.', at: inputs.focus };
  }
  return null;
}

/**
 * Create the observation, or say what is missing.
 * @param {FormState} state
 * @param {FormInputs} inputs
 * @param {HTMLElement} search
 * @param {HTMLElement} error
 * @param {FormActions} actions
 */
function saver(state, inputs, search, error, actions) {
  return async (/** @type {boolean} */ startNow) => {
    const fields = formFields(state, inputs);
    const problem = missing(state, inputs, search);
    if (problem) {
      error.textContent = problem.message;
      problem.at.focus();
      return;
    }
    error.textContent = (await actions.onCreate(fields, startNow)) || '';
  };
}

/**
 * A new kind of observation: everyone's role becomes that kind's default.
 * @param {FormState} state
 * @param {string} kind
 * @param {string} meId
 */
function chooseKind(state, kind, meId) {
  state.kind = kind;
  const [mine, theirs] = DEFAULT_ROLES[/** @type {keyof typeof DEFAULT_ROLES} */ (kind)];
  state.participants = state.participants.map((p) => ({ ...p, role: p.user_id === meId ? mine : theirs }));
}

/**
 * @param {FormData} data
 * @param {FormActions} actions
 */
export function renderObservationForm(data, actions) {
  /** @type {FormState} */
  const state = { kind: 'peer_observation', participants: [{ user_id: data.me.id, role: DEFAULT_ROLES.peer_observation[0] }], casePupils: ['A', 'B', 'C'] };
  const inputs = formInputs(data);
  const people = peoplePicker(data, state);
  const pupilsField = pupilsPicker(state);
  const kindHint = h('p', { class: 'hint' }, KIND_HINTS.peer_observation);
  const { lessonOnly, walkOnly } = lessonOrWalk(inputs);
  const titleField = field('Title', inputs.title, TITLE_HINTS.lesson);
  const kindChips = chips('What kind of observation?', Object.entries(KINDS).map(([value, label]) => ({ value, label })), state.kind, (value) => {
    chooseKind(state, value, data.me.id);
    kindHint.textContent = KIND_HINTS[/** @type {keyof typeof KIND_HINTS} */ (value)];
    pupilsField.hidden = value !== 'lesson_study';
    lessonOnly.hidden = value === 'learning_walk';
    walkOnly.hidden = value !== 'learning_walk';
    const titleHint = titleField.querySelector('.hint');
    if (titleHint) titleHint.textContent = value === 'learning_walk' ? TITLE_HINTS.walk : TITLE_HINTS.lesson;
    people.drawPeople();
  }, { name: 'kind', className: 'chips-stack' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const save = saver(state, inputs, people.search, error, actions);
  return h('form', { class: 'screen form', novalidate: true, onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); save(true); } },
    kindChips, kindHint,
    h('fieldset', { class: 'group' }, h('legend', null, 'Who is taking part?'), people.list,
      field('Add a colleague', people.search), people.results),
    field('When', inputs.startsAt),
    field('Focus', inputs.focus, 'A school focus, or one of your own. A walk ticks its look-fors.'),
    lessonOnly, walkOnly,
    pupilsField,
    titleField,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary wide' }, 'Create and start capturing'),
      h('button', { type: 'button', class: 'button wide', onclick: () => save(false) }, 'Save for later')));
}

/** A walk's route, if wanted (kept as the walk's `class_label`: docs/lead-screens.md). */
function walkRouteInput() {
  return h('input', { type: 'text', name: 'route', maxlength: 200, placeholder: 'e.g. Year 3 corridor, then the science block', dataset: { draft: 'new-observation/route' } });
}

/**
 * The fields of a lesson (class, subject, year group, question, learning intention), and the
 * walk's own (its route): one shows, by the kind chosen.
 * @param {FormInputs} inputs
 */
function lessonOrWalk(inputs) {
  const lessonOnly = h('div', { class: 'lesson-fields' },
    h('div', { class: 'field-row' }, field('Class', inputs.classLabel), field('Subject', inputs.subject)),
    field('Year group', inputs.yearGroup),
    field('The observed teacher’s question', inputs.question, 'The question they want help with. They choose it.'),
    field('Learning intention', inputs.intention));
  const walkOnly = h('div', { class: 'walk-fields', hidden: true },
    field('Route (if wanted)', inputs.route, 'Where the walk goes. Each classroom’s year group and team are recorded as you go.'));
  return { lessonOnly, walkOnly };
}
