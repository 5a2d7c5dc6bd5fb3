// @ts-check
/**
 * The person's rights on screen: "Who has seen this" (review), "Who has seen my records" (My
 * learning), "Your data" (Settings) and the admin's erase screen. People's text goes in with
 * textContent only (h() children).
 */

import { field, h, icon, section } from '../dom.js';
import { formatWhen } from '../model.js';

/**
 * @typedef {{text: string, when: string, device: string}} SeenItem
 * @typedef {{state: 'loading' | 'offline' | 'failed' | 'ready', items: SeenItem[]}} SeenData
 */

/**
 * A list of audit events, filled in when they arrive.
 * @param {string} title
 * @param {string} none what to say when there are none
 * @param {() => Promise<SeenData>} load
 */
export function seenSection(title, none, load) {
  const body = h('div', { class: 'seen', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Checking who has looked …'));
  const node = section(title, body);
  node.classList.add('who-has-seen');
  load().then((data) => { body.replaceChildren(seenBody(data, none)); });
  return node;
}

/**
 * @param {SeenData} data
 * @param {string} none
 */
function seenBody(data, none) {
  if (data.state === 'offline') return h('p', { class: 'hint' }, 'Connect to see who has looked at it.');
  if (data.state === 'failed') return h('p', { class: 'hint' }, 'The server could not say just now. Try again later.');
  if (!data.items.length) return h('p', { class: 'empty' }, none);
  return h('ul', { class: 'seen-list' }, data.items.map((item) => h('li', { class: 'seen-item' },
    h('span', { class: 'seen-what' }, item.text),
    h('span', { class: 'hint' }, item.device ? `${formatWhen(item.when)} · ${item.device}` : formatWhen(item.when)))));
}

/**
 * Settings: download my data; for admins, the way to the erase screen.
 * @param {{online: boolean, isAdmin: boolean}} data
 * @param {{onDownloadData: () => void}} actions
 */
export function myDataSection(data, actions) {
  return section('Your data',
    h('p', null, 'Download everything Lesson Loop holds about you: your observations with every note, next steps, focuses and who has seen your records, as JSON and CSV, with your learning record.'),
    h('button', { type: 'button', class: 'button wide', disabled: !data.online, onclick: actions.onDownloadData }, icon('download'), 'Download my data'),
    data.online ? null : h('p', { class: 'hint' }, 'Downloading needs a connection.'),
    data.isAdmin ? h('a', { class: 'button wide quiet', href: '#/erase' }, 'Erase a person’s data') : null);
}

/**
 * @typedef {{id: string, name: string, email: string}} StaffItem
 * @typedef {{staff: StaffItem[], online: boolean, result: string | null}} EraseData
 */

/**
 * The admin's erase screen: pick a person, type their name, erase.
 * @param {EraseData} data
 * @param {{onErase: (id: string, typed: string) => void}} actions
 * @param {{person: string, confirm: string}} kept what is chosen and typed, outliving redraws
 */
export function renderErase(data, actions, kept) {
  // typed: a person's name, kept in memory only (never IndexedDB: an erased name must not linger on a device)
  const person = h('select', { name: 'person', onchange: () => { kept.person = person.value; } }, h('option', { value: '' }, 'Choose a person'),
    data.staff.map((s) => h('option', { value: s.id, selected: s.id === kept.person }, `${s.name} (${s.email})`)));
  // typed: a person's name, kept in memory only (as above)
  const typed = h('input', { type: 'text', name: 'confirm', autocomplete: 'off', spellcheck: 'false', value: kept.confirm,
    oninput: () => { kept.confirm = typed.value; } });
  const form = h('form', { class: 'erase-form' },
    field('Person', person),
    field('Type their name to confirm', typed, 'Exactly as it is shown above, before the brackets.'),
    h('button', { type: 'submit', class: 'button danger wide', disabled: !data.online }, 'Erase this person'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    actions.onErase(/** @type {HTMLSelectElement} */ (person).value, /** @type {HTMLInputElement} */ (typed).value);
  });
  return h('div', { class: 'screen erase' },
    section('Erase a person’s data',
      h('p', null, 'Their account, devices, personal focuses and the observations nobody else took part in are deleted for good. Notes they wrote on colleagues’ observations stay, shown as written by “A former colleague”, and their name is removed wherever it was typed. This cannot be undone.'),
      data.online ? form : h('p', { class: 'notice' }, 'Erasing needs a connection.'),
      data.result ? h('p', { class: 'notice', role: 'status' }, data.result) : null));
}
