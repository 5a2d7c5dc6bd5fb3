// @ts-check
/**
 * The quick-note phrases under the capture box: a tap puts the phrase into the box for editing
 * (at the caret, keeping the keyboard up); it never saves or sends anything by itself.
 */

import { h, replace } from '../dom.js';
import { insertPhrase } from '../quick-notes.js';

/**
 * @param {HTMLTextAreaElement} box the capture box
 */
export function mountQuickNotes(box) {
  const node = h('div', { class: 'quick-notes', role: 'group', 'aria-label': 'Quick notes: tap to add to your note' });
  /** @param {{text: string, source: string}[]} phrases */
  function update(phrases) {
    node.hidden = !phrases.length;
    if (node.dataset.phrases === JSON.stringify(phrases)) return;
    node.dataset.phrases = JSON.stringify(phrases);
    replace(node, ...phrases.map((p) => {
      const button = h('button', { type: 'button', class: `quick-note quick-${p.source}`, title: p.text }, p.text);
      button.addEventListener('pointerdown', (event) => event.preventDefault()); // the box keeps the focus
      button.addEventListener('click', () => insertPhrase(box, p.text));
      return button;
    }));
  }
  return { node, update };
}
