// @ts-check
/**
 * A note's photos under that note, on Capture and Review (issue 16): the notes' rows carry
 * `photos` (thumbnails: the bytes on this phone, or the server's), and a tap opens the photo
 * at full size. The strip of screens/photos.js keeps the photos that belong to no note.
 */

import { readRecord } from '../db.js';
import { photosOf } from '../photos.js';
import { photoItem, urlOrNull } from './photos.js';

/**
 * The photos of an observation's notes, oldest first, by note id.
 * @param {string} observationId
 * @param {string} token
 * @returns {Promise<Map<string, import('../views/photos.js').PhotoItem[]>>}
 */
export async function notePhotos(observationId, token) {
  const photos = (await photosOf(observationId)).filter(({ fields }) => fields.note_id);
  const items = await Promise.all(photos.map(({ record, fields }) => photoItem(record, fields, token)));
  /** @type {Map<string, import('../views/photos.js').PhotoItem[]>} */
  const byNote = new Map();
  photos.forEach(({ fields }, index) => {
    const list = byNote.get(fields.note_id) || [];
    list.push(items[index]);
    byNote.set(fields.note_id, list);
  });
  return byNote;
}

/**
 * Give each note row its photos (none: an empty list).
 * @template {{id: string}} T
 * @param {T[]} rows
 * @param {Map<string, import('../views/photos.js').PhotoItem[]>} byNote
 * @returns {(T & {photos: import('../views/photos.js').PhotoItem[]})[]}
 */
export function withPhotos(rows, byNote) {
  return rows.map((row) => ({ ...row, photos: byNote.get(row.id) || [] }));
}

/**
 * The full-size photo's URL (null when it is not on this phone and the server is out of reach).
 * @param {string} id
 * @param {string} token
 */
export async function openPhoto(id, token) {
  const record = await readRecord('attachment', id);
  return record ? urlOrNull(record, 'content', token) : null;
}
