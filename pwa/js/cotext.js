// @ts-check
/**
 * Co-written texts on this device: one Yjs document per co-written field of a record (an
 * observation's strengths, wonderings, reflection, learning intention and focus question, a
 * next step's text), so that two people's words merge in place, with no conflict card.
 *
 * Data model: a record keeps `yjs: {field: base64 of its document's full state}` (the server's
 * state as pulled, plus this device's edits not yet confirmed). A document only ever grows
 * from the server's: a field with no state yet is saved as a plain string, and its document
 * comes with the next pull (two documents seeded separately with one text would merge into
 * that text twice).
 *
 * An edit is the smallest change from a text to the new one (common start and end kept),
 * made on the document the person started from (`base`, when the screen knows it) or else on
 * the current one, and sent as a Yjs update (`{"yjs": update}` in the outbox; README:
 * "Co-written text"). Yjs work is synchronous, so it runs inside IndexedDB transactions.
 */

import { Doc, applyUpdate, encodeStateAsUpdate, encodeStateVector, mergeUpdates } from '../vendor/yjs.js';

/** @type {Readonly<Record<string, readonly string[]>>} */
export const COTEXT_FIELDS = Object.freeze({
  observation: ['focus_question', 'learning_intention', 'strengths', 'wonderings', 'reflection'],
  next_step: ['text'],
});
const ROOT = 'text';
const KEEP_DOCS = 100;

/**
 * Whether a record field is co-written.
 * @param {string} entity
 * @param {string} name
 */
export function isCoText(entity, name) {
  return (COTEXT_FIELDS[entity] || []).includes(name);
}

/** @param {Uint8Array} bytes */
export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** @param {string} text */
export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** @type {Map<string, {state: string, doc: any}>} */
const live = new Map();

/**
 * The live document of a record field holding exactly `state` (rebuilt when it holds another).
 * @param {string} key
 * @param {string} state
 */
function docAt(key, state) {
  const held = live.get(key);
  if (held && held.state === state) {
    live.delete(key);
    live.set(key, held); // most recently used last
    return held.doc;
  }
  const doc = new Doc();
  applyUpdate(doc, fromBase64(state));
  live.set(key, { state, doc });
  if (live.size > KEEP_DOCS) live.delete(/** @type {string} */ (live.keys().next().value));
  return doc;
}

/**
 * The text of a document state.
 * @param {string} state
 */
export function textOf(state) {
  const doc = new Doc();
  applyUpdate(doc, fromBase64(state));
  return doc.getText(ROOT).toString();
}

/**
 * The document key of a record field.
 * @param {string} entity @param {string} id @param {string} name
 */
export function fieldKey(entity, id, name) {
  return `${entity}\u0000${id}\u0000${name}`;
}

/**
 * Where two texts differ: old[start, oldEnd) becomes now[start, nowEnd). Never inside a
 * surrogate pair (Yjs counts UTF-16 code units, as JavaScript does).
 * @param {string} old
 * @param {string} now
 */
export function diff(old, now) {
  const limit = Math.min(old.length, now.length);
  let start = 0;
  while (start < limit && old.charCodeAt(start) === now.charCodeAt(start)) start += 1;
  if (start > 0 && isHighSurrogate(old.charCodeAt(start - 1))) start -= 1;
  let tail = 0;
  while (tail < limit - start && old.charCodeAt(old.length - 1 - tail) === now.charCodeAt(now.length - 1 - tail)) tail += 1;
  if (tail > 0 && isLowSurrogate(old.charCodeAt(old.length - tail))) tail -= 1;
  return { start, oldEnd: old.length - tail, nowEnd: now.length - tail };
}

/** @param {number} code */
function isHighSurrogate(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

/** @param {number} code */
function isLowSurrogate(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Bring a document's text to `text` by one edit; the edit as an update, or null if none.
 * @param {any} doc
 * @param {string} text
 * @returns {Uint8Array | null}
 */
function editTo(doc, text) {
  const root = doc.getText(ROOT);
  const old = root.toString();
  if (old === text) return null;
  const { start, oldEnd, nowEnd } = diff(old, text);
  const before = encodeStateVector(doc);
  doc.transact(() => {
    if (oldEnd > start) root.delete(start, oldEnd - start);
    if (nowEnd > start) root.insert(start, text.slice(start, nowEnd));
  });
  return encodeStateAsUpdate(doc, before);
}

/**
 * A local save of a co-written field: the edit from the base (or the current document) to
 * `text`, applied to the current document. `update` is null when nothing changed; `text` is
 * the document's text after the edit (a partner's words that came since the base included).
 * @param {string} key
 * @param {string} current the field's document state on this device
 * @param {string} text the text the person saved
 * @param {string} [base] the state the person started editing from
 * @returns {{update: string | null, state: string, text: string, based: string | null}}
 *   `based`: the base with this edit alone (its text is exactly `text`), or null without a base
 */
export function edit(key, current, text, base) {
  const doc = docAt(key, current);
  let update;
  let based = null;
  if (base && base !== current) {
    const from = new Doc();
    applyUpdate(from, fromBase64(base));
    update = editTo(from, text);
    based = toBase64(encodeStateAsUpdate(from));
    applyUpdate(doc, fromBase64(base));
    if (update) applyUpdate(doc, update);
  } else {
    update = editTo(doc, text);
  }
  const state = toBase64(encodeStateAsUpdate(doc));
  live.set(key, { state, doc });
  return { update: update && toBase64(update), state, text: doc.getText(ROOT).toString(), based: based || (base ? state : null) };
}

/**
 * A pulled state merged into this device's document (its unsent edits survive).
 * @param {string} key
 * @param {string} current
 * @param {string} pulled
 * @returns {{state: string, text: string}}
 */
export function mergePulled(key, current, pulled) {
  const doc = docAt(key, current);
  applyUpdate(doc, fromBase64(pulled));
  const state = toBase64(encodeStateAsUpdate(doc));
  live.set(key, { state, doc });
  return { state, text: doc.getText(ROOT).toString() };
}

/**
 * Two queued updates of one field as one (Yjs merges them; the order does not matter).
 * @param {string} first
 * @param {string} second
 */
export function coalesce(first, second) {
  return toBase64(mergeUpdates([fromBase64(first), fromBase64(second)]));
}

/**
 * Whether a queued field value is a Yjs edit.
 * @param {any} value
 * @returns {value is {yjs: string}}
 */
export function isEdit(value) {
  return Boolean(value) && typeof value === 'object' && typeof value.yjs === 'string';
}

/**
 * A put's co-written texts as Yjs edits of the record's documents (where it has them): the
 * fields to queue, and the values to show (a partner's words that came since the base kept).
 * Updates `record.yjs`, and `record.yjsTyped`: for a field saved from a base, that base and
 * what this device's saves from it have made of it, so that the next save from the same base
 * (a draft saved as it is typed) edits from the text saved last, not from the base again.
 * @param {import('./db.js').StoredRecord} record
 * @param {{fields?: Record<string, any>, bases?: Record<string, string>}} change
 * @returns {{wire: Record<string, any>, shown: Record<string, any>}}
 */
export function coWrite(record, change) {
  const fields = change.fields || {};
  const wire = { ...fields };
  const shown = { ...fields };
  for (const [name, value] of Object.entries(fields)) {
    const current = record.yjs?.[name];
    if (!isCoText(record.entity, name) || typeof value !== 'string' || !current) continue;
    const given = change.bases?.[name];
    const typed = record.yjsTyped?.[name];
    const base = given && typed && typed.from === given ? typed.to : given;
    const made = edit(fieldKey(record.entity, record.id, name), current, value, base);
    record.yjs = { ...record.yjs, [name]: made.state };
    if (given && made.based) record.yjsTyped = { ...record.yjsTyped, [name]: { from: given, to: made.based } };
    shown[name] = made.text;
    if (made.update) wire[name] = { yjs: made.update };
    else delete wire[name];
  }
  return { wire, shown };
}

/**
 * Newer fields over older ones; two Yjs edits of one field become one update.
 * @param {Record<string, any>} older
 * @param {Record<string, any>} newer
 */
export function foldFields(older, newer) {
  const fields = { ...older, ...newer };
  for (const [name, value] of Object.entries(newer)) {
    if (isEdit(value) && isEdit(older[name])) fields[name] = { yjs: coalesce(older[name].yjs, value.yjs) };
  }
  return fields;
}
