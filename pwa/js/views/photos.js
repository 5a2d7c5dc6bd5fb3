// @ts-check
/**
 * Photos (issue 16): the camera and gallery buttons with the reminder not to photograph
 * faces or names, a caption, the photos as thumbnails, and a photo at full size on tap.
 * This module only draws; js/screens/photos.js loads and saves.
 */

import { h, icon, replace } from '../dom.js';

/**
 * @typedef {{id: string, caption: string, url: string | null, state: 'local' | 'delivered' | 'problem',
 *   problem: string | null}} PhotoItem
 * @typedef {{onPick: (files: File[], caption: string) => Promise<void>, onOpen: (id: string) => Promise<string | null>}} PhotoActions
 */

export const REMINDER = 'Photograph the work, not the pupil: no faces, no names.';
const STATES = { local: 'On this phone', delivered: 'Sent', problem: 'Not accepted' };

/**
 * A file button: a label that opens the camera or the gallery.
 * @param {string} text
 * @param {Record<string, any>} input the input's properties (capture, multiple)
 * @param {(files: File[]) => void} onfiles
 */
function fileButton(text, input, onfiles) {
  const control = h('input', {
    type: 'file', accept: 'image/*', class: 'visually-hidden', ...input,
    onchange: (/** @type {Event} */ event) => {
      const el = /** @type {HTMLInputElement} */ (event.target);
      const files = [...(el.files || [])];
      el.value = '';
      if (files.length) onfiles(files);
    },
  });
  return h('label', { class: 'button small photo-pick' }, icon('plus'), text, control);
}

/**
 * @param {PhotoItem} item
 * @param {PhotoActions} actions
 * @param {HTMLDialogElement} dialog
 */
function thumbnail(item, actions, dialog) {
  const picture = item.url
    ? h('img', { src: item.url, alt: item.caption || 'A photo of pupils’ work', loading: 'lazy' })
    : h('span', { class: 'photo-missing' }, 'Shown when online');
  return h('li', { class: 'photo' },
    h('button', { type: 'button', class: 'photo-open', 'aria-label': `Open the photo${item.caption ? `: ${item.caption}` : ''}`,
      onclick: () => openLarge(item, actions, dialog) }, picture),
    item.caption ? h('p', { class: 'photo-caption' }, item.caption) : null,
    h('p', { class: `delivery delivery-${item.state}` }, STATES[item.state], item.problem ? ` ${item.problem}` : ''));
}

/**
 * @param {PhotoItem} item
 * @param {PhotoActions} actions
 * @param {HTMLDialogElement} dialog
 */
async function openLarge(item, actions, dialog) {
  const url = await actions.onOpen(item.id);
  replace(dialog,
    url ? h('img', { src: url, alt: item.caption || 'A photo of pupils’ work', class: 'photo-large' })
      : h('p', null, 'This photo is shown when you are online.'),
    item.caption ? h('p', { class: 'photo-caption' }, item.caption) : null,
    h('button', { type: 'button', class: 'button wide', onclick: () => dialog.close() }, 'Close'));
  dialog.showModal();
}

/**
 * The photos panel; `editable` adds the buttons to take or choose photos.
 * @param {{editable: boolean}} options
 * @param {PhotoActions} actions
 */
export function mountPhotos(options, actions) {
  const list = h('ul', { class: 'photo-strip' });
  const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'photo-dialog' }));
  // typed: the photos panel is mounted once per screen; its redraws only replace the strip (update)
  const caption = h('input', { type: 'text', maxlength: 500, placeholder: 'Caption (optional)', 'aria-label': 'Caption for the next photo' });
  const pick = async (/** @type {File[]} */ files) => {
    await actions.onPick(files, caption.value.trim());
    caption.value = '';
  };
  const controls = options.editable ? h('div', { class: 'photo-controls' },
    h('p', { class: 'hint photo-reminder' }, icon('alert'), REMINDER),
    caption,
    h('div', { class: 'row-actions' },
      fileButton('Take a photo', { capture: 'environment' }, pick),
      fileButton('Choose photos', { multiple: true }, pick))) : null;
  const node = h('section', { class: 'section photos', 'aria-label': 'Photos' },
    h('h2', null, 'Photos of pupils’ work'), controls, list, dialog);
  return {
    node,
    /** @param {PhotoItem[]} items */
    update(items) {
      replace(list, items.map((item) => thumbnail(item, actions, dialog)));
      node.hidden = !options.editable && !items.length;
    },
  };
}

/**
 * A note's photos, under the note (Capture, Review): thumbnails, full size on tap. A caption
 * that only repeats the note's text is not shown twice.
 * @param {PhotoItem[] | undefined} items
 * @param {string} noteText
 * @param {((id: string) => Promise<string | null>) | undefined} onOpen
 */
export function notePhotoList(items, noteText, onOpen) {
  if (!items || !items.length || !onOpen) return null;
  const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'photo-dialog' }));
  const actions = { onOpen, onPick: async () => undefined };
  const shown = items.map((item) => (item.caption === noteText ? { ...item, caption: '' } : item));
  const drawn = shown.map((item) => {
    const node = thumbnail(item, actions, dialog);
    if (item.state === 'delivered') node.querySelector('.delivery')?.remove(); // the note says
    return node;
  });
  return h('div', { class: 'note-photos' },
    h('ul', { class: 'photo-strip', 'aria-label': items.length === 1 ? 'Its photo' : `Its ${items.length} photos` }, drawn),
    dialog);
}
