// @ts-check
/**
 * Photos of pupils' work (issue 16): shrunk on the phone, kept with their note, sent whole.
 *
 * A picked photo is drawn onto a canvas at most LONG_EDGE pixels on its long edge and
 * exported as JPEG (quality 0.8): a canvas holds pixels only, so EXIF and GPS never leave the
 * phone, nor does the original. Its bytes are kept on its `attachment` record (`photo:
 * {bytes, uploaded}` in the records store, db.js) and written with the note and the outbox
 * entries in one transaction, so a photo is never separated from its note.
 *
 * Sending: once the server has the attachment record (pushed and acknowledged), sync.js calls
 * `uploadPhotos`, which sends the bytes with tus-js-client (resumable: its fingerprints are
 * kept in localStorage, so an upload cut at 90% goes on from 90%, even after the app was
 * closed). The server answers 409 `already_uploaded` for bytes it holds: that is delivered.
 * tus-js-client is imported when first needed, in the page only: it reads `window` as it loads,
 * which the service worker (that imports sync.js, so this module) does not have.
 */

import { apiFile } from './api.js';
import { readChildren, readEntities, recordGet, recordPut, transact } from './db.js';
import { newId } from './model.js';
import { enqueue, queued } from './outbox.js';

export const LONG_EDGE = 2048;
export const QUALITY = 0.8;
const SCOPE = /** @type {import('./db.js').StoreName[]} */ (['meta', 'records', 'outbox']);

/**
 * @typedef {{bytes: ArrayBuffer, width: number, height: number, sha256: string,
 *   content_type: string}} ShrunkPhoto
 */

/** @param {ArrayBuffer} digest */
function hex(digest) {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The picked file as the photo to keep: long edge at most 2,048 px, JPEG, no metadata.
 * @param {Blob} file
 * @returns {Promise<ShrunkPhoto>}
 */
export async function shrink(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
  const bytes = await blob.arrayBuffer();
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  return { bytes, width, height, sha256, content_type: 'image/jpeg' };
}

/**
 * Save a note holding these photos: the note, each attachment record and its bytes, and
 * their outbox entries, in one transaction.
 * @param {Record<string, any>} noteFields the note's fields (observation_id, at, ...)
 * @param {ShrunkPhoto[]} photos
 * @param {string} caption
 * @returns {Promise<string>} the note's id
 */
export async function saveNoteWithPhotos(noteFields, photos, caption) {
  const noteId = newId();
  await transact(SCOPE, 'readwrite', async (tx) => {
    await enqueue(tx, 'note', noteId, { op: 'put', fields: noteFields });
    for (const photo of photos) {
      const id = newId();
      const { bytes, ...described } = photo;
      const fields = { observation_id: noteFields.observation_id, note_id: noteId, bytes: bytes.byteLength, ...described, caption };
      await enqueue(tx, 'attachment', id, { op: 'put', fields });
      const record = /** @type {import('./db.js').StoredRecord} */ (await recordGet(tx, 'attachment', id));
      record.photo = { bytes, uploaded: false };
      await recordPut(tx, record);
    }
  });
  queued();
  return noteId;
}

/**
 * The photos of one observation, oldest first, as the screens show them.
 * @param {string} observationId
 */
export async function photosOf(observationId) {
  const children = await readChildren(observationId);
  return children.filter((r) => r.entity === 'attachment')
    .map((r) => ({ record: r, fields: { ...r.fields, ...r.local } }))
    .filter(({ fields }) => !fields.deleted)
    .sort((a, b) => (a.record.version || Infinity) - (b.record.version || Infinity));
}

/** @param {import('./db.js').StoredRecord} record whether its bytes wait here to be sent */
function waiting(record) {
  return Boolean(record.photo && !record.photo.uploaded && !record.photo.problem && !record.deleted);
}

/** How many photos wait to be sent whose records were sent already (the rest count as changes). */
export async function countWaitingPhotos() {
  const { attachment } = await readEntities(['attachment']);
  return attachment.filter((r) => waiting(r) && !r.pendingSeq).length;
}

/**
 * Mark a photo's bytes as delivered, or as refused for good (the server's message is kept).
 * @param {string} id
 * @param {string | null} problem
 */
function settled(id, problem) {
  return transact(['records'], 'readwrite', async (tx) => {
    const record = await recordGet(tx, 'attachment', id);
    if (record && record.photo) {
      if (problem) record.photo.problem = problem;
      else record.photo.uploaded = true;
      await recordPut(tx, record);
    }
  });
}

/**
 * Send the bytes of every photo whose record the server has. Not from the service worker
 * (tus-js-client needs XMLHttpRequest); the page's next sync sends them.
 * @param {{token: string}} session
 */
export async function uploadPhotos(session) {
  if (typeof XMLHttpRequest === 'undefined') return;
  const { attachment } = await readEntities(['attachment']);
  const ready = attachment.filter((r) => waiting(r) && !r.pendingSeq && r.version > 0);
  if (!ready.length) return;
  const { Upload } = await import('../vendor/tus.js');
  for (const record of ready) {
    const outcome = await uploadOne(Upload, session, record);
    if (outcome !== 'later') await settled(record.id, outcome === 'done' ? null : outcome);
  }
}

/**
 * One photo through tus: 'done' once the server holds it, 'later' to try again, or the
 * server's reason for refusing it for good.
 * @param {any} Upload tus-js-client's Upload class
 * @param {{token: string}} session
 * @param {import('./db.js').StoredRecord} record
 * @returns {Promise<string>}
 */
function uploadOne(Upload, session, record) {
  const photo = /** @type {{bytes: ArrayBuffer}} */ (record.photo);
  const blob = new Blob([photo.bytes], { type: record.fields.content_type || 'image/jpeg' });
  return new Promise((resolve, reject) => {
    const upload = new Upload(blob, {
      endpoint: '/api/v1/uploads/',
      headers: { Authorization: `Bearer ${session.token}` },
      metadata: { attachment_id: record.id, filename: `${record.id}.jpg` },
      fingerprint: async () => `lessonloop-photo-${record.id}`,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      retryDelays: [0, 1000, 3000],
      onShouldRetry: (/** @type {any} */ error) => !refused(error),
      onSuccess: () => resolve('done'),
      onError: (/** @type {any} */ error) => settle(error, upload, resolve, reject),
    });
    upload.findPreviousUploads().then((/** @type {any[]} */ previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
}

/** @param {any} error @param {number} status whether the server answered with this status */
function answered(error, status) {
  return Boolean(error && error.originalResponse && error.originalResponse.getStatus() === status);
}

/** @param {any} error whether the server refused (a 4xx other than 429): no retry helps */
function refused(error) {
  const status = error && error.originalResponse ? error.originalResponse.getStatus() : 0;
  return status >= 400 && status < 500 && status !== 429;
}

/**
 * @param {any} error
 * @param {any} upload
 * @param {(outcome: string) => void} resolve
 * @param {(error: Error) => void} reject
 */
function settle(error, upload, resolve, reject) {
  const body = error && error.originalResponse ? String(error.originalResponse.getBody() || '') : '';
  if (answered(error, 409) && body.includes('already_uploaded')) resolve('done');
  else if (answered(error, 404) || answered(error, 409)) {
    upload.abort(true).catch(() => undefined); // a stale upload: start afresh next time
    resolve('later');
  } else if (refused(error)) resolve(messageOf(body) || 'The server refused this photo.');
  else reject(error instanceof Error ? error : new Error(String(error)));
}

/** @param {string} body the message of an error body in the one error shape */
function messageOf(body) {
  try {
    return String(JSON.parse(body).error.message || '');
  } catch {
    return '';
  }
}

/** @type {Map<string, string>} object URLs of photos shown, by attachment id and size */
const shown = new Map();

/**
 * A URL to show a photo: its bytes on this device, else the server's copy (thumbnail or full).
 * @param {import('./db.js').StoredRecord} record
 * @param {'thumbnail' | 'content'} size
 * @param {string} token
 */
export async function photoUrl(record, size, token) {
  const key = `${record.id}/${record.photo ? 'local' : size}`;
  const known = shown.get(key);
  if (known) return known;
  const blob = record.photo
    ? new Blob([record.photo.bytes], { type: record.fields.content_type || 'image/jpeg' })
    : (await apiFile(`/attachments/${record.id}/${size}`, token)).blob;
  const url = URL.createObjectURL(blob);
  shown.set(key, url);
  return url;
}
