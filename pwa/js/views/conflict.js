// @ts-check
/**
 * A conflict shown at its field: a mark on the field (an icon and words, not colour alone),
 * every version with who wrote it and a button to keep it, and for texts an editor for a
 * combined text (a draft: it survives redraws, reloads and updates). While a choice waits out
 * its 10 seconds of Undo, the block says which version is being kept.
 */

import { field, h, icon } from '../dom.js';

/**
 * @typedef {{label: string, value: string, shown: string, keep: string}} Version
 * @typedef {{field: string, label: string, ids: string[], versions: Version[], pending: string | null,
 *   combinable: boolean, draftKey: string}} FieldConflict
 * @typedef {{onResolve: (field: string, value: string, ids: string[], label: string) => void}} ConflictActions
 */

/**
 * @param {FieldConflict} card
 * @param {ConflictActions} actions
 */
function combineEditor(card, actions) {
  const label = `Combined ${card.label.toLowerCase()}`;
  const combined = h('textarea', { rows: 6, maxlength: 20000, dataset: { draft: card.draftKey } });
  combined.value = card.versions.map((v) => v.value).filter(Boolean).join('\n\n');
  return h('details', { class: 'combine', dataset: { draftHolder: '' } },
    h('summary', null, 'Edit a combined text'),
    field(label, combined, 'Start from both versions and write the text you agree on.'),
    h('button', {
      type: 'button', class: 'button primary',
      onclick: () => actions.onResolve(card.field, combined.value, card.ids, `your combined ${card.label.toLowerCase()}`),
    }, 'Save combined text'));
}

/**
 * The block under a field that two people changed at once.
 * @param {FieldConflict} card
 * @param {ConflictActions} actions
 */
export function conflictAtField(card, actions) {
  const markId = `conflict-${card.field}`;
  const mark = h('p', { class: 'conflict-mark', id: markId },
    icon('alert'), h('span', null, h('strong', null, 'Two versions. '),
      card.pending ? 'Your choice is kept in a few seconds.' : 'You both changed this at once. Nothing is lost: choose one.'));
  if (card.pending) {
    return h('div', { class: 'field-conflict pending', dataset: { field: card.field }, role: 'group', 'aria-labelledby': markId },
      mark, h('p', { class: 'conflict-pending' }, `Keeping ${card.pending}. Tap Undo at the bottom of the screen to choose again.`));
  }
  return h('div', { class: 'field-conflict', dataset: { field: card.field }, role: 'group', 'aria-labelledby': markId },
    mark,
    h('ul', { class: 'versions' }, card.versions.map((v) => h('li', { class: 'version' },
      h('p', { class: 'version-label' }, v.label),
      h('p', { class: 'version-text' }, v.shown || '(empty)'),
      h('button', { type: 'button', class: 'button small', onclick: () => actions.onResolve(card.field, v.value, card.ids, v.label) }, v.keep)))),
    card.combinable ? combineEditor(card, actions) : null);
}

/**
 * A field's wrapper marked as holding two versions, with the block after its control.
 * @param {HTMLElement} wrapper a `.field` (from dom.js `field`)
 * @param {FieldConflict | undefined} card
 * @param {ConflictActions} actions
 */
export function markField(wrapper, card, actions) {
  const signature = card ? JSON.stringify(card) : '';
  if ((wrapper.dataset.conflict || '') === signature) return wrapper; // drawn already: leave the editor be
  wrapper.dataset.conflict = signature;
  wrapper.classList.toggle('has-conflict', Boolean(card));
  const control = wrapper.querySelector(':scope > textarea, :scope > input, :scope > select');
  const hint = wrapper.querySelector(':scope > .hint');
  wrapper.querySelector(':scope > .field-conflict')?.remove();
  const described = [hint ? hint.id : '', card ? `conflict-${card.field}` : ''].filter(Boolean).join(' ');
  if (control && described) control.setAttribute('aria-describedby', described);
  else control?.removeAttribute('aria-describedby');
  if (card) wrapper.appendChild(conflictAtField(card, actions));
  return wrapper;
}
