// @ts-check
/** Settings → "Quick notes": my own phrases, offered under the capture box (quick-notes.js). */

import { h, replace, section } from '../dom.js';
import { myPhrases, refreshPhrases, savePhrases } from '../quick-notes.js';

/**
 * The section, drawn at once from the device's copy and again once the server answered.
 * @param {import('../app.js').Ctx} ctx
 */
export function phrasesSection(ctx) {
  const list = h('ul', { class: 'phrase-list' });
  const input = h('input', { type: 'text', maxlength: 200, id: 'new-phrase', class: 'new-phrase', 'aria-label': 'A new quick note', placeholder: 'e.g. Hinge question asked', dataset: { draft: 'settings/new-phrase' } });
  const note = h('p', { class: 'hint' });
  /** @type {string[]} */
  let phrases = [];
  /** @param {string[]} next */
  const save = async (next) => {
    if (!ctx.online) return void (note.textContent = 'Offline: your quick notes can be changed once you are online.');
    try {
      phrases = await savePhrases(ctx.session, next);
      note.textContent = 'Saved. They show under the box when you capture.';
      draw();
      return true;
    } catch (error) {
      note.textContent = `Not saved: ${error instanceof Error ? error.message : error}`;
      return false;
    }
  };
  const draw = () => replace(list, ...(phrases.length ? phrases.map((p, i) => h('li', null, h('span', { class: 'phrase' }, p),
    h('button', { type: 'button', class: 'button small quiet', 'aria-label': `Remove quick note: ${p}`, onclick: () => save(phrases.filter((_, j) => j !== i)) }, 'Remove')))
    : [h('li', { class: 'list-empty' }, 'None yet. Phrases you use often go here.')]));
  const add = h('form', { class: 'field-row phrase-add', onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (await save([...phrases, text])) {
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  } }, input, h('button', { type: 'submit', class: 'button small' }, 'Add'));
  myPhrases().then((mine) => { phrases = mine; draw(); });
  if (ctx.online) refreshPhrases(ctx.session).then((mine) => { phrases = mine; draw(); });
  const node = section('Quick notes', h('p', { class: 'hint' }, 'One-tap phrases under the capture box, with your focus and its look-fors. A tap puts the phrase in the box for you to finish.'), list, add, note);
  node.classList.add('quick-phrases');
  return node;
}
