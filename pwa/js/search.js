// @ts-check
/**
 * Search, offline (issue 12): one box over the notes, observations and next steps on this
 * device (IndexedDB), results as one types. The records are read once into a small index
 * (lower-cased text per record), dropped when sync changes anything; each query is a scan of
 * that index for every word typed (a note matches when it holds all of them). Results come
 * with the ranges to highlight; views draw them as text nodes and <mark>s, never as HTML.
 */

import { readEntities } from './db.js';
import { current } from './model.js';
import { onData } from './sync-status.js';

export const RESULTS_MAX = 50;
const SNIPPET = 140;

/**
 * @typedef {{kind: 'note' | 'observation' | 'next_step', id: string, observationId: string | null,
 *   text: string, lower: string, title: string, at: string, authorId: string}} Entry
 * @typedef {{entry: Entry, text: string, marks: [number, number][]}} Result
 */

/** @type {Promise<Entry[]> | null} */
let index = null;

/** Forget the index (sync changed something): the next search reads the records again. */
export function dropIndex() {
  index = null;
}
onData(dropIndex);

/**
 * @param {import('./db.js').StoredRecord[]} records
 * @param {Map<string, string>} titles
 * @returns {Entry[]}
 */
function entriesOf(records, titles) {
  /** @type {Entry[]} */
  const out = [];
  for (const r of records) {
    const f = current(r);
    if (f.deleted) continue;
    const base = { id: r.id, authorId: r.created_by || '', at: String(f.at || f.starts_at || f.due_on || '') };
    if (r.entity === 'note' && f.text) {
      out.push({ ...base, kind: 'note', observationId: f.observation_id, text: f.text, lower: f.text.toLowerCase(), title: titles.get(f.observation_id) || '' });
    } else if (r.entity === 'observation') {
      const text = [f.title, f.class_label, f.subject, f.focus_question, f.learning_intention, f.strengths, f.wonderings, f.reflection].filter(Boolean).join(' · ');
      out.push({ ...base, kind: 'observation', observationId: r.id, text, lower: text.toLowerCase(), title: f.title || '' });
    } else if (r.entity === 'next_step' && f.text) {
      out.push({ ...base, kind: 'next_step', observationId: f.observation_id || null, text: f.text, lower: f.text.toLowerCase(), title: titles.get(f.observation_id) || '' });
    }
  }
  return out;
}

/** The index, built once (and again after sync changed something). */
export function searchIndex() {
  if (!index) {
    index = readEntities(['observation', 'note', 'next_step']).then((all) => {
      const titles = new Map(all.observation.map((o) => [o.id, String(current(o).title || '')]));
      return [...entriesOf(all.observation, titles), ...entriesOf(all.next_step, titles), ...entriesOf(all.note, titles)];
    });
  }
  return index;
}

/** @param {string} query */
export function wordsOf(query) {
  return [...new Set(query.toLowerCase().split(/\s+/).filter((w) => w.length > 0))];
}

/**
 * A piece of the text around its first match, with every match inside it.
 * @param {Entry} entry
 * @param {string[]} words
 * @returns {{text: string, marks: [number, number][]}}
 */
function snippet(entry, words) {
  const first = Math.min(...words.map((w) => entry.lower.indexOf(w)));
  const from = entry.text.length <= SNIPPET ? 0 : Math.max(0, first - 40);
  const text = (from ? '…' : '') + entry.text.slice(from, from + SNIPPET) + (from + SNIPPET < entry.text.length ? '…' : '');
  const lower = text.toLowerCase();
  /** @type {[number, number][]} */
  const marks = [];
  for (const word of words) {
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + word.length)) marks.push([at, at + word.length]);
  }
  marks.sort((a, b) => a[0] - b[0]);
  /** @type {[number, number][]} */
  const merged = [];
  for (const m of marks) {
    const last = merged[merged.length - 1];
    if (last && m[0] <= last[1]) last[1] = Math.max(last[1], m[1]);
    else merged.push([m[0], m[1]]);
  }
  return { text, marks: merged };
}

/**
 * The entries holding every word of the query, newest first (at most RESULTS_MAX), and how many.
 * @param {Entry[]} entries
 * @param {string} query
 * @returns {{results: Result[], total: number}}
 */
export function searchIn(entries, query) {
  const words = wordsOf(query);
  if (!words.length) return { results: [], total: 0 };
  const hits = entries.filter((e) => words.every((w) => e.lower.includes(w)));
  hits.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return { results: hits.slice(0, RESULTS_MAX).map((entry) => ({ entry, ...snippet(entry, words) })), total: hits.length };
}

/** @param {string} query */
export async function search(query) {
  return searchIn(await searchIndex(), query);
}

/**
 * After opening an observation from a result: bring its note into view, picked out, once the
 * screen is drawn (a long list draws in chunks, and a redraw may make the row again: for a
 * while, a row drawn anew is picked out again and brought into view).
 * @param {string} noteId
 */
export function revealNote(noteId) {
  const until = Date.now() + 15_000;
  /** @type {Element | null} */
  let shown = null;
  const look = () => {
    const main = document.getElementById('main');
    const ready = main && /^(capture|review)$/.test(main.dataset.ready || '');
    const row = ready ? main.querySelector(`li.note[data-id="${CSS.escape(noteId)}"]`) : null;
    if (row && row !== shown) {
      shown = row;
      requestAnimationFrame(() => {
        row.classList.add('found');
        row.scrollIntoView({ block: 'center' });
      });
    }
    if (Date.now() < until) setTimeout(look, 200);
  };
  setTimeout(look, 0);
}
