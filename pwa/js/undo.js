// @ts-check
/**
 * Choices that can be taken back for 10 seconds (keeping one version of a field, deleting a
 * note). Nothing is queued until the 10 seconds are over: Undo simply forgets the choice, so
 * exactly one change (or none) is ever synced. Leaving the screen or hiding the app ends the
 * wait at once, and the choice is queued then.
 *
 * While a choice waits, `waiting(key)` tells screens to show it as made; a bar at the bottom
 * of the screen says what was done, with an Undo button and the seconds left.
 */

import { h } from './dom.js';

export const UNDO_MS = 10_000;

/**
 * @typedef {{commit: () => Promise<unknown>, changed: () => void, bar: HTMLElement,
 *   timer: ReturnType<typeof setTimeout>, ticker: ReturnType<typeof setInterval>, detail: any}} Waiting
 */

/** @type {Map<string, Waiting>} */
const choices = new Map();

function region() {
  let el = document.getElementById('undo-bars');
  if (!el) {
    el = h('div', { id: 'undo-bars', class: 'undo-bars' });
    document.body.appendChild(el);
  }
  return el;
}

/**
 * Make a choice that waits 10 s before `commit` queues it.
 * @param {string} key what the choice is about (a second choice on it replaces the first)
 * @param {string} message what was done, e.g. "Kept Ben’s version of Strengths."
 * @param {() => Promise<unknown>} commit queues the change
 * @param {() => void} changed redraws the screen (called when the choice is undone or queued)
 * @param {any} [detail] what screens show while it waits
 */
export function choose(key, message, commit, changed, detail = true) {
  forget(key);
  const left = h('span', { class: 'undo-left' }, '10 s');
  const button = h('button', { type: 'button', class: 'button small undo-button', onclick: () => undo(key) }, 'Undo');
  const bar = h('div', { class: 'undo-bar', role: 'status', dataset: { key } }, h('span', { class: 'undo-message' }, message), left, button);
  const started = Date.now();
  const ticker = setInterval(() => { left.textContent = `${Math.max(0, Math.ceil((UNDO_MS - (Date.now() - started)) / 1000))} s`; }, 1000);
  const timer = setTimeout(() => { settle(key); }, UNDO_MS);
  choices.set(key, { commit, changed, bar, timer, ticker, detail });
  region().appendChild(bar);
  changed();
  button.focus({ preventScroll: true }); // what was tapped may be gone: Undo is where the focus goes
}

/** @param {string} key */
function forget(key) {
  const choice = choices.get(key);
  if (!choice) return null;
  choices.delete(key);
  clearTimeout(choice.timer);
  clearInterval(choice.ticker);
  choice.bar.remove();
  return choice;
}

/**
 * Take a waiting choice back.
 * @param {string} key
 */
export function undo(key) {
  const choice = forget(key);
  if (choice) choice.changed();
}

/**
 * The wait is over: queue the choice.
 * @param {string} key
 */
async function settle(key) {
  const choice = forget(key);
  if (!choice) return;
  try {
    await choice.commit();
  } finally {
    choice.changed();
  }
}

/** Queue every waiting choice now (leaving the screen, hiding the app). */
export function settleAll() {
  return Promise.all([...choices.keys()].map(settle));
}

/**
 * What waits for `key` (its `detail`), or undefined.
 * @param {string} key
 */
export function waiting(key) {
  return choices.get(key)?.detail;
}
