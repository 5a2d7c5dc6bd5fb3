// @ts-check
/**
 * Quick notes (issue 12): one-tap phrases under the capture box, from the observation's focus
 * (its title and question) and look-fors, and from the teacher's own saved phrases. Mine are a
 * field of my account (`GET`/`PUT /api/v1/me/phrases`, README "Extensions"), kept on the device
 * (meta `phrases`) so Capture has them offline; Settings edits them (online).
 */

import { api } from './api.js';
import { readMeta, writeMeta } from './db.js';

const MAX_SHOWN = 12;

/** My saved phrases as this device last knew them. @returns {Promise<string[]>} */
export async function myPhrases() {
  return (await readMeta('phrases')) || [];
}

/**
 * Ask the server for my phrases (when online) and keep them; the device's copy otherwise.
 * @param {{token: string}} session
 * @returns {Promise<string[]>}
 */
export async function refreshPhrases(session) {
  try {
    const body = await api('/me/phrases', { token: session.token });
    await writeMeta('phrases', body.phrases);
    return body.phrases;
  } catch {
    return myPhrases();
  }
}

/**
 * Replace my phrases on the server (then on the device); throws when that fails.
 * @param {{token: string}} session
 * @param {string[]} phrases
 * @returns {Promise<string[]>}
 */
export async function savePhrases(session, phrases) {
  const body = await api('/me/phrases', { method: 'PUT', token: session.token, body: { phrases } });
  await writeMeta('phrases', body.phrases);
  return body.phrases;
}

/**
 * The phrases Capture offers: the focus's, its look-fors', then mine (each once, in that order).
 * @param {{focusTitles: string[], focusQuestion: string, lookfors: string[], mine: string[]}} from
 * @returns {{text: string, source: 'focus' | 'lookfor' | 'mine'}[]}
 */
export function quickPhrases(from) {
  /** @type {{text: string, source: 'focus' | 'lookfor' | 'mine'}[]} */
  const out = [];
  const seen = new Set();
  /** @param {string} text @param {'focus' | 'lookfor' | 'mine'} source */
  const add = (text, source) => {
    const t = (text || '').trim();
    if (!t || seen.has(t.toLowerCase())) return;
    seen.add(t.toLowerCase());
    out.push({ text: t, source });
  };
  from.focusTitles.forEach((t) => add(t, 'focus'));
  add(from.focusQuestion, 'focus');
  from.lookfors.forEach((t) => add(t, 'lookfor'));
  const theirs = out.slice(0, MAX_SHOWN);
  from.mine.forEach((t) => add(t, 'mine'));
  return [...theirs, ...out.slice(theirs.length).filter((p) => p.source === 'mine')];
}

/**
 * Put a phrase into the box at the caret (a space either side where needed), caret after it.
 * @param {HTMLTextAreaElement} box
 * @param {string} phrase
 */
export function insertPhrase(box, phrase) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? start;
  const before = box.value.slice(0, start);
  const after = box.value.slice(end);
  const lead = before && !/\s$/.test(before) ? ' ' : '';
  const tail = after && !/^\s/.test(after) ? ' ' : '';
  const inserted = `${lead}${phrase}${tail}`;
  box.value = before + inserted + after;
  const caret = before.length + lead.length + phrase.length;
  box.setSelectionRange(caret, caret);
  box.focus();
  box.dispatchEvent(new Event('input', { bubbles: true })); // the draft keeps it (drafts.js)
}
