// @ts-check
/**
 * Everyone's notes on Capture (issue 12): a partner's note shows who wrote it and has no edit
 * control; the "Only mine" switch narrows the list to my own. Drawn beside the capture box,
 * never inside it, so a partner's note arriving never touches what I am typing.
 */

import { h } from '../dom.js';

/**
 * "Ana Silva" on a partner's note, "You" on mine.
 * @param {{mine: boolean, author: string}} note
 */
export function authorTag(note) {
  return h('span', { class: `note-author${note.mine ? ' note-author-me' : ''}` }, note.mine ? 'You' : note.author);
}

/**
 * The "Only mine" switch (a checkbox that looks like a switch).
 * @param {boolean} onlyMine
 * @param {(onlyMine: boolean) => void} onchange
 */
export function onlyMineSwitch(onlyMine, onchange) {
  const box = h('input', { type: 'checkbox', class: 'only-mine', role: 'switch', checked: onlyMine });
  box.addEventListener('change', () => onchange(box.checked));
  return { box, node: h('label', { class: 'switch-row only-mine-row' }, box, h('span', null, 'Only mine')) };
}
