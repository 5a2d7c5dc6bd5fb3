// @ts-check
/** The Search screen: a box, and results as one types (search.js finds, this draws). */

import { h, replace } from '../dom.js';
import { formatWhen } from '../model.js';
import { revealNote, search } from '../search.js';

const KIND_LABELS = { note: 'Note', observation: 'Observation', next_step: 'Next step' };

/**
 * The text with its matches in <mark>s: text nodes only, never HTML.
 * @param {string} text
 * @param {[number, number][]} marks
 */
export function highlighted(text, marks) {
  /** @type {(string | HTMLElement)[]} */
  const parts = [];
  let at = 0;
  for (const [from, to] of marks) {
    if (from > at) parts.push(text.slice(at, from));
    parts.push(h('mark', null, text.slice(from, to)));
    at = to;
  }
  if (at < text.length) parts.push(text.slice(at));
  return h('p', { class: 'result-text' }, ...parts);
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../search.js').Result} result
 */
function resultItem(ctx, result) {
  const { entry } = result;
  const open = () => {
    if (entry.kind === 'next_step' && !entry.observationId) return ctx.navigate(`#/next-steps/${encodeURIComponent(entry.id)}`);
    ctx.navigate(`#/observations/${encodeURIComponent(entry.observationId || entry.id)}`);
    if (entry.kind === 'note') revealNote(entry.id);
  };
  const label = KIND_LABELS[entry.kind];
  return h('li', { class: 'result', dataset: { kind: entry.kind, id: entry.id } },
    h('button', { type: 'button', class: 'result-open', onclick: open },
      h('span', { class: 'result-head' }, h('span', { class: 'tag' }, label), ' ', entry.title && entry.kind !== 'observation' ? entry.title : '', entry.at ? ` · ${formatWhen(entry.at)}` : ''),
      highlighted(result.text, result.marks)));
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function searchScreen(ctx) {
  const box = h('input', { type: 'search', id: 'search-box', class: 'search-box', 'aria-label': 'Search your notes', placeholder: 'Search notes, observations, next steps', autocomplete: 'off', enterkeyhint: 'search', dataset: { draft: 'search/query' } });
  const count = h('p', { class: 'result-count', role: 'status' });
  const list = h('ol', { class: 'results' });
  let asked = 0;
  const run = async () => {
    const mine = ++asked;
    const query = box.value;
    const { results, total } = await search(query);
    if (mine !== asked) return; // a newer keystroke already asked
    count.textContent = !query.trim() ? 'Type a word or two: everything on this phone is searched, offline too.'
      : total ? `${total.toLocaleString('en-GB')} found${total > results.length ? `, the newest ${results.length} shown` : ''}` : 'Nothing found.';
    replace(list, ...results.map((r) => resultItem(ctx, r)));
    list.dataset.query = query;
  };
  box.addEventListener('input', run);
  run();
  return {
    title: 'Search', tab: 'search', back: '#/today', node: h('div', { class: 'screen search' }, box, count, list),
    focus: () => box.focus(), refresh: run,
  };
}
