// @ts-check
/**
 * The photos of one observation on a screen (capture: take and choose; review: look): the
 * strip shows the observation's own photos, a note's show under it. Picked
 * photos are shrunk on the phone and saved as a note holding them (js/photos.js), in one
 * transaction; thumbnails show the bytes on this phone, or the server's thumbnail.
 */

import { onData } from '../sync-status.js';
import { photoUrl, photosOf, saveNoteWithPhotos, shrink } from '../photos.js';
import { mountPhotos } from '../views/photos.js';

/**
 * @param {import('../db.js').StoredRecord} record
 * @returns {'local' | 'delivered' | 'problem'}
 */
export function stateOf(record) {
  if (!record.photo) return 'delivered';
  if (record.photo.problem) return 'problem';
  return record.photo.uploaded ? 'delivered' : 'local';
}

/**
 * @param {import('../db.js').StoredRecord} record
 * @param {'thumbnail' | 'content'} size
 * @param {string} token
 */
export function urlOrNull(record, size, token) {
  return photoUrl(record, size, token).catch(() => null); // offline, or not arrived yet
}

/**
 * A photo as the views show it: its thumbnail's URL (or null), caption and delivery.
 * @param {import('../db.js').StoredRecord} record
 * @param {Record<string, any>} fields
 * @param {string} token
 * @returns {Promise<import('../views/photos.js').PhotoItem>}
 */
export async function photoItem(record, fields, token) {
  const url = await urlOrNull(record, 'thumbnail', token);
  return { id: record.id, caption: String(fields.caption || ''), url, state: stateOf(record), problem: record.photo?.problem || null };
}

/**
 * Save picked files as one note holding them; tells the person when a file is not a photo.
 * @param {import('../app.js').Ctx} ctx
 * @param {File[]} files
 * @param {string} caption
 * @param {(caption: string) => Record<string, any>} noteFields
 */
async function savePicked(ctx, files, caption, noteFields) {
  performance.mark('photo-picked');
  const shrunk = [];
  for (const file of files) {
    try {
      shrunk.push(await shrink(file));
    } catch {
      ctx.toast(`${file.name || 'This file'} could not be read as a photo.`, { tone: 'error' });
    }
  }
  if (!shrunk.length) return false;
  await saveNoteWithPhotos(noteFields(caption), shrunk, caption);
  performance.mark('photo-saved');
  ctx.toast(shrunk.length === 1 ? 'Photo saved with a note.' : `${shrunk.length} photos saved with a note.`);
  return true;
}

/**
 * The photos section of an observation's screen.
 * @param {import('../app.js').Ctx} ctx
 * @param {string} observationId
 * @param {{noteFields?: (caption: string) => Record<string, any>, onSaved?: () => Promise<void>}} [options]
 *   `noteFields` makes it editable: the fields of the note that holds new photos
 */
export function photoSection(ctx, observationId, options = {}) {
  const { noteFields, onSaved } = options;
  /** @type {Map<string, import('../db.js').StoredRecord>} */
  const records = new Map();
  const view = mountPhotos({ editable: Boolean(noteFields) }, {
    async onPick(files, caption) {
      if (!noteFields || !(await savePicked(ctx, files, caption, noteFields))) return;
      await refresh();
      if (onSaved) await onSaved();
    },
    async onOpen(id) {
      const record = records.get(id);
      return record ? urlOrNull(record, 'content', ctx.session.token) : null;
    },
  });
  async function refresh() {
    // A note's photos show under their note (screens/note-photos.js); the strip has the rest.
    const photos = (await photosOf(observationId)).filter(({ fields }) => !fields.note_id);
    const items = await Promise.all(photos.map(async ({ record, fields }) => {
      records.set(record.id, record);
      return photoItem(record, fields, ctx.session.token);
    }));
    view.update(items);
  }
  const stop = onData(() => { refresh().catch((error) => console.error('Lesson Loop:', error)); });
  refresh().catch((error) => console.error('Lesson Loop:', error));
  return { node: view.node, refresh, stop: () => { stop(); } };
}
