// @ts-check
/**
 * The lesson clock on Capture: "Minute 12 of the lesson · started 09:05", Adjust (started N
 * minutes ago, or at a time) and Restart, which asks first (the restart itself then waits 10 s
 * with Undo: lesson-clock.js). This module only draws; the screen does the saving.
 */

import { h, icon } from '../dom.js';
import { minuteAt } from '../lesson-clock.js';

/**
 * @typedef {{startedAt: number | null, canMove: boolean}} ClockData
 * @typedef {{onAdjust: (how: {minutesAgo?: number, at?: string}) => void,
 *   onRestart: () => void}} ClockActions
 */

/** @param {number} ms */
function hhmm(ms) {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** @param {number | null} startedAt */
export function clockText(startedAt) {
  return startedAt === null ? 'Lesson clock not started' : `Minute ${minuteAt(startedAt)} of the lesson`;
}

/**
 * The two ways to say when the lesson began.
 * @param {ClockActions} actions
 * @param {() => void} close
 */
function adjustForm(actions, close) {
  // typed: Capture mounts the clock once and its redraws only update the clock's words (views/capture.js update)
  const ago = h('input', { type: 'number', min: '0', max: '1440', step: '1', inputmode: 'numeric', class: 'clock-ago', 'aria-label': 'Minutes ago' });
  const at = h('input', { type: 'time', class: 'clock-at', 'aria-label': 'Started at' });
  const setAgo = h('button', { type: 'button', class: 'button small', onclick: () => { actions.onAdjust({ minutesAgo: Number(ago.value) }); close(); } }, 'Set');
  const setAt = h('button', { type: 'button', class: 'button small', onclick: () => { actions.onAdjust({ at: at.value }); close(); } }, 'Set');
  return h('div', { class: 'clock-adjust', hidden: true, role: 'group', 'aria-label': 'When the lesson started' },
    h('p', { class: 'clock-row' }, h('span', null, 'Started'), ago, h('span', null, 'minutes ago'), setAgo),
    h('p', { class: 'clock-row' }, h('span', null, 'Started at'), at, setAt),
    h('button', { type: 'button', class: 'link-button', onclick: close }, 'Cancel'));
}

/**
 * "Restart the lesson clock for everyone?" with the two answers.
 * @param {ClockActions} actions
 * @param {() => void} close
 */
function restartConfirm(actions, close) {
  return h('div', { class: 'clock-confirm', hidden: true, role: 'alertdialog', 'aria-label': 'Restart the lesson clock?' },
    h('p', null, 'Restart the lesson clock at minute 0 for everyone on this observation? New notes will count from now.'),
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'button small danger clock-restart-yes', onclick: () => { close(); actions.onRestart(); } }, 'Restart clock'),
      h('button', { type: 'button', class: 'button small quiet', onclick: close }, 'Keep it')));
}

/**
 * @param {ClockData} data
 * @param {ClockActions} actions
 */
export function mountClock(data, actions) {
  let startedAt = data.startedAt;
  const text = h('span', { class: 'clock-text' }, clockText(startedAt));
  const since = h('span', { class: 'clock-since' });
  const panels = { adjust: adjustForm(actions, () => show(null)), confirm: restartConfirm(actions, () => show(null)) };
  /** @param {HTMLElement | null} panel */
  const show = (panel) => { for (const p of Object.values(panels)) p.hidden = p !== panel || !p.hidden; };
  const adjust = h('button', { type: 'button', class: 'button small quiet clock-adjust-button', onclick: () => show(panels.adjust), 'aria-label': 'Adjust when the lesson started' }, 'Adjust');
  const restart = h('button', { type: 'button', class: 'button small quiet clock-restart', onclick: () => show(panels.confirm), 'aria-label': 'Restart the lesson clock at minute 0' }, 'Restart');
  const node = h('div', { class: 'lesson-clock' },
    h('div', { class: 'capture-top' }, icon('clock'), h('span', { class: 'clock-words' }, text, since), data.canMove ? adjust : null, data.canMove ? restart : null),
    panels.confirm, panels.adjust);
  const draw = () => {
    text.textContent = clockText(startedAt);
    since.textContent = startedAt === null ? '' : `Started ${hhmm(startedAt)}`;
    node.dataset.startedAt = startedAt === null ? '' : new Date(startedAt).toISOString();
  };
  draw();
  const timer = setInterval(draw, 10_000);
  return {
    node,
    /** @param {number | null} next */
    update(next) { startedAt = next; draw(); },
    stop: () => clearInterval(timer),
  };
}
