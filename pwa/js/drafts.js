// @ts-check
/**
 * A screen never discards input. Every text control that carries a `data-draft` key is kept in
 * IndexedDB as it is typed (300 ms after the last keystroke, and at once when it loses focus or
 * the page is hidden): its text, its caret (selection start and end) and whether it had the
 * focus. Whenever a control with that key is put in the page again (a redraw after a sync, a
 * route change and back, a reload, a new version of the app), it gets its text, caret and focus
 * back before the next frame, and an `input` event, so the screen's own handlers see the words
 * as if they had just been typed. One MutationObserver on the page does this for every screen.
 *
 * A draft is cleared once its words are saved (`saved`, for fields that save as they are typed,
 * keeps the caret) or submitted (`submitted`), so it is delivered exactly once.
 *
 * Keys name what is typed: `observation/<id>/<field>`, `next_step/<id>/<field>` (optionally
 * followed by `/something`), `note/<id>/<field>`, `capture/<observation id>`, or a form's own
 * name. For a field of an observation or next step, the draft's `base` is the record's
 * `yjs[field]` when typing started (null when absent): the save passes it to putRecord as
 * `options.bases` (the co-written text uses it; this module only carries it).
 */

import { readRecord, readTyping, writeTyping } from './db.js';

const WRITE_DELAY_MS = 300;
// Drafts untouched for this long are let go at start (a caret of a field saved long ago).
const KEEP_MS = 30 * 24 * 3600_000;
const FOCUS_KEPT_MS = 10 * 60_000;
const CO_WRITTEN = /^(observation|next_step)\/([^/]+)\/([a-z_]+)/;
const CARET_TYPES = new Set(['text', 'search', 'url', 'tel', 'password', 'textarea']);

/**
 * @typedef {{key: string, text: string | null, start: number, end: number, focused: boolean,
 *   base: string | null, at: number}} Draft
 */

/** @type {Map<string, Draft>} */
const drafts = new Map();
/** @type {Map<string, Promise<string | null>>} the base of a draft being looked up */
const bases = new Map();
/** @type {Set<string>} keys to write; `forgotten`: keys to delete */
const dirty = new Set();
const forgotten = new Set();
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let restoring = false;
/** @type {WeakSet<Element>} controls given their drafts back (before that, their caret is not theirs yet) */
const settled = new WeakSet();

/** @param {EventTarget | null} target @returns {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null} */
function control(target) {
  const el = /** @type {any} */ (target);
  return el && el.dataset && el.dataset.draft && 'value' in el ? el : null;
}

/** @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} el */
function hasCaret(el) {
  return CARET_TYPES.has(el.type);
}

/** Write what changed now (and forget what was submitted). */
export function flushDrafts() {
  clearTimeout(timer);
  const puts = [...dirty].map((key) => drafts.get(key)).filter(Boolean);
  const deletes = [...forgotten];
  dirty.clear();
  forgotten.clear();
  if (!puts.length && !deletes.length) return Promise.resolve();
  return writeTyping(puts, deletes).catch((error) => console.error('Lesson Loop: a draft was not kept:', error));
}

/** @param {string} key */
function touch(key) {
  dirty.add(key);
  forgotten.delete(key);
  clearTimeout(timer);
  timer = setTimeout(flushDrafts, WRITE_DELAY_MS);
}

/**
 * The co-written base of a field's draft: the record's `yjs[field]` when typing started.
 * @param {Draft} draft
 */
function lookUpBase(draft) {
  const match = CO_WRITTEN.exec(draft.key);
  if (!match) return;
  const [, entity, id, field] = match;
  const lookup = readRecord(entity, id).then((record) => /** @type {any} */ (record)?.yjs?.[field] ?? null, () => null);
  bases.set(draft.key, lookup);
  lookup.then((base) => {
    if (drafts.get(draft.key) !== draft || bases.get(draft.key) !== lookup) return;
    draft.base = base;
    touch(draft.key);
  });
}

/** @param {Event} event */
function onInput(event) {
  const el = control(event.target);
  if (!el || restoring) return;
  const key = /** @type {string} */ (el.dataset.draft);
  let draft = drafts.get(key);
  if (!draft || draft.text === null) {
    draft = { key, text: '', start: 0, end: 0, focused: true, base: null, at: Date.now() };
    drafts.set(key, draft);
    lookUpBase(draft);
  }
  draft.text = el.value;
  keepCaret(el, draft);
}

/** @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} el @param {Draft} draft */
function keepCaret(el, draft) {
  if (hasCaret(el)) {
    const field = /** @type {HTMLInputElement} */ (el);
    draft.start = field.selectionStart ?? draft.start;
    draft.end = field.selectionEnd ?? draft.end;
  }
  draft.focused = document.activeElement === el;
  draft.at = Date.now();
  touch(draft.key);
}

/** @param {EventTarget | null} target */
function caretMoved(target) {
  const el = control(target);
  const draft = el && settled.has(el) && drafts.get(/** @type {string} */ (el.dataset.draft));
  if (el && draft && document.activeElement === el) keepCaret(el, draft);
}

/** @param {Event} event */
function onCaret(event) {
  caretMoved(event.target);
}

/**
 * The caret moved in the focused field (arrow keys move it on keydown, before any keyup): keep
 * it now, so a redraw landing between the two gives the caret back where it was.
 * @param {HTMLElement} root
 */
function onSelectionChange(root) {
  const el = document.activeElement;
  if (el && root.contains(el)) caretMoved(el);
}

/**
 * Leaving a field on purpose (focus went elsewhere in the page) ends its focus; a field taken
 * out of the page by a redraw keeps it, for the field drawn in its place.
 * @param {FocusEvent} event
 */
function onFocusOut(event) {
  const el = control(event.target);
  const draft = el && drafts.get(/** @type {string} */ (el.dataset.draft));
  if (!el || !draft) return;
  setTimeout(() => {
    if (!el.isConnected || drafts.get(draft.key) !== draft || document.activeElement === el) return;
    draft.focused = false;
    touch(draft.key);
    flushDrafts();
  }, 0);
  flushDrafts();
}

/**
 * Nothing else holds the focus (a screen's default focus does not count): the field may
 * take it back.
 */
function focusIsFree() {
  const active = document.activeElement;
  if (!active || active === document.body || active.id === 'main' || !active.isConnected) return true;
  const other = control(active);
  return Boolean(other) && !drafts.get(/** @type {string} */ (other?.dataset.draft))?.focused;
}

/**
 * Give a control that has just been drawn its draft back.
 * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} el
 */
function restore(el) {
  settled.add(el);
  const draft = drafts.get(/** @type {string} */ (el.dataset.draft));
  if (!draft) return;
  const holder = draft.text !== null && el.closest('[data-draft-holder]');
  if (holder instanceof HTMLDetailsElement) holder.open = true;
  else if (holder instanceof HTMLElement) holder.hidden = false;
  if (draft.text !== null && el.value !== draft.text) {
    el.value = draft.text;
    restoring = true;
    try {
      el.dispatchEvent(new Event('input', { bubbles: true }));
    } finally {
      restoring = false;
    }
  }
  if (hasCaret(el)) {
    const length = el.value.length;
    /** @type {HTMLInputElement} */ (el).setSelectionRange(Math.min(draft.start, length), Math.min(draft.end, length));
  }
  // A saved field's focus is given back for a while (a reload, an update), not days later.
  const recent = draft.text !== null || Date.now() - draft.at < FOCUS_KEPT_MS;
  if (draft.focused && recent && focusIsFree()) el.focus();
}

/** @param {MutationRecord[]} mutations */
function restoreAdded(mutations) {
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (!(node instanceof HTMLElement)) continue;
      const found = control(node) ? [node] : node.querySelectorAll('[data-draft]');
      for (const el of found) {
        const field = control(el);
        if (field) restore(field);
      }
    }
  }
}

/**
 * Start keeping drafts of the controls in `root` (once, before the first screen is drawn).
 * @param {HTMLElement} root
 */
export async function startDrafts(root) {
  const now = Date.now();
  for (const draft of await readTyping().catch(() => [])) {
    if (draft.text !== null || now - draft.at < KEEP_MS) drafts.set(draft.key, draft);
    else forgotten.add(draft.key);
  }
  root.addEventListener('input', onInput);
  for (const type of ['keyup', 'pointerup', 'select', 'selectionchange']) root.addEventListener(type, onCaret);
  root.addEventListener('focusin', onCaret);
  document.addEventListener('selectionchange', () => onSelectionChange(root));
  root.addEventListener('focusout', onFocusOut);
  window.addEventListener('pagehide', flushDrafts);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flushDrafts(); });
  new MutationObserver(restoreAdded).observe(root, { childList: true, subtree: true });
  flushDrafts();
}

/**
 * The words typed under `key` and not yet saved, or null.
 * @param {string} key
 */
export function draftText(key) {
  return drafts.get(key)?.text ?? null;
}

/**
 * The keys under `prefix` that hold unsaved words (`all`: every key under it).
 * @param {string} prefix
 * @param {{all?: boolean}} [options]
 */
export function draftsUnder(prefix, options = {}) {
  return [...drafts.values()].filter((d) => d.key.startsWith(prefix) && (options.all || (d.text !== null && d.text.trim()))).map((d) => d.key);
}

/**
 * The words of `key` were saved (a field that saves as it is typed): the caret stays, the
 * words are no longer a draft (unless more were typed meanwhile). Resolves with the draft's
 * `base` (null when it has none).
 * @param {string} key
 * @param {string} value the words saved
 * @returns {Promise<string | null>}
 */
export async function saved(key, value) {
  const draft = drafts.get(key);
  const base = (await bases.get(key)) ?? draft?.base ?? null;
  if (draft && drafts.get(key) === draft && draft.text === value) {
    drafts.set(key, { ...draft, text: null, base: null });
    bases.delete(key);
    touch(key);
  }
  return base;
}

/**
 * The words of these keys were submitted (a form, a saved note): forget them entirely.
 * `inTransaction`: the caller deletes them from IndexedDB itself, with what it saved.
 * Resolves with each key's `base` (keys without one left out).
 * @param {string[]} keys
 * @param {{inTransaction?: boolean}} [options]
 * @returns {Promise<Record<string, string>>}
 */
export async function submitted(keys, options = {}) {
  /** @type {Record<string, string>} */
  const found = {};
  for (const key of keys) {
    const base = (await bases.get(key)) ?? drafts.get(key)?.base ?? null;
    if (base !== null) found[key] = base;
    drafts.delete(key);
    bases.delete(key);
    dirty.delete(key);
    if (!options.inTransaction) forgotten.add(key);
  }
  if (!options.inTransaction) await flushDrafts();
  return found;
}

/**
 * The `bases` option of putRecord for some fields, from their drafts' bases by key.
 * @param {Record<string, string>} byKey
 * @param {Record<string, string>} keyOfField
 */
export function basesOf(byKey, keyOfField) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [field, key] of Object.entries(keyOfField)) if (key in byKey) out[field] = byKey[key];
  return out;
}
