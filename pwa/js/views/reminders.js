// @ts-check
/**
 * Settings, Reminders: whether this device gets reminders (and, when it cannot, why and what
 * to do), then which reminders and the quiet times. Choices save as they change.
 */

import { field, h, icon, section } from '../dom.js';

/**
 * @typedef {'on' | 'off' | 'blocked' | 'unsupported' | 'needs_install'} ReminderState
 * @typedef {{
 *   state: ReminderState, online: boolean, willAsk: boolean,
 *   settings: import('../reminders.js').NotificationSettings | null, browserZone: string
 * }} RemindersData
 * @typedef {{
 *   onRemindersOn: () => void, onRemindersOff: () => void,
 *   onReminderSettings: (changes: Record<string, any>) => Promise<void>
 * }} RemindersActions
 */

const KIND_LABELS = /** @type {const} */ ([
  ['partner_notes', 'A colleague adds notes to an observation I am part of'],
  ['review_requested', 'Notes are ready for me to review'],
  ['next_step_due', 'One of my next steps is due the next school day'],
  ['weekly_reflection', 'Friday afternoon: a short weekly reflection'],
]);
const DEFAULT_QUIET = { start: '19:00', end: '07:00' };

/**
 * A labelled on/off switch (a checkbox with the switch role).
 * @param {string} label
 * @param {boolean} checked
 * @param {boolean} disabled
 * @param {(on: boolean, box: HTMLInputElement) => void} onchange
 * @param {string} [hint]
 */
function toggle(label, checked, disabled, onchange, hint) {
  const box = h('input', { type: 'checkbox', role: 'switch', checked, disabled, onchange: () => onchange(box.checked, box) });
  return h('label', { class: 'switch setting' }, box, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    h('span', { class: 'setting-text' }, label, hint ? h('span', { class: 'setting-hint' }, hint) : null));
}

/**
 * The line that says where reminders stand on this device, and what to do about it.
 * @param {RemindersData} data
 */
function stateLine(data) {
  switch (data.state) {
    case 'on':
      return h('p', { class: 'reminder-state on' }, icon('check'), 'Reminders are on for this device.');
    case 'off':
      return h('p', { class: 'reminder-state' }, 'Reminders are off on this device.');
    case 'blocked':
      return h('div', { class: 'notice' }, h('p', null, h('strong', null, 'Your browser is blocking notifications from Lesson Loop. ')),
        h('p', null, 'To get reminders, allow notifications for this site in your browser’s settings (on a phone: Settings, then Notifications or Site settings), then come back here and tap Turn on reminders.'));
    case 'needs_install':
      return h('div', { class: 'notice' }, h('p', null, 'On iPhone and iPad, reminders work in the Lesson Loop app on your Home Screen. In Safari, tap Share, then Add to Home Screen, and open Lesson Loop from there.'));
    default:
      return h('p', { class: 'reminder-state' }, 'This browser cannot show reminders. Everything else in Lesson Loop works as usual.');
  }
}

/**
 * The on/off button, with what happens next or why it cannot be tapped now.
 * @param {RemindersData} data
 * @param {RemindersActions} actions
 */
function onOff(data, actions) {
  if (data.state !== 'on' && data.state !== 'off') return null;
  const on = data.state === 'on';
  const button = h('button', {
    type: 'button', class: ['button', 'wide', on ? 'quiet' : 'primary'], disabled: !data.online,
    onclick: () => {
      button.disabled = true;
      button.textContent = on ? 'Turning off…' : 'Turning on…';
      if (on) actions.onRemindersOff();
      else actions.onRemindersOn();
    },
  }, on ? 'Turn off reminders' : 'Turn on reminders');
  const hint = !data.online ? 'Turning reminders on or off needs a connection. You are offline now.'
    : !on && data.willAsk ? 'Your browser will ask whether Lesson Loop may send you notifications.' : null;
  return [button, hint ? h('p', { class: 'hint' }, hint) : null];
}

/**
 * A saver of reminder choices that says how it went in `saved`, and undoes a change that
 * was not saved.
 * @param {HTMLElement} saved
 * @param {RemindersActions} actions
 */
function saver(saved, actions) {
  /** @param {Record<string, any>} changes @param {() => void} undo */
  return async (changes, undo) => {
    saved.textContent = 'Saving…';
    try {
      await actions.onReminderSettings(changes);
      saved.textContent = 'Saved.';
    } catch (error) {
      undo();
      saved.textContent = `Not saved: ${error instanceof Error ? error.message : 'try again'}`;
    }
  };
}

/**
 * Quiet evenings: the switch, and the times it runs from and until.
 * @param {import('../reminders.js').NotificationSettings} settings
 * @param {boolean} locked
 * @param {HTMLElement} saved
 * @param {ReturnType<typeof saver>} save
 */
function quietEvenings(settings, locked, saved, save) {
  const quiet = settings.quiet_hours || DEFAULT_QUIET;
  // typed: saved the moment a whole time is chosen (a time box holds no half-typed value); a redraw draws the saved times
  const from = h('input', { type: 'time', value: quiet.start, disabled: locked || !settings.quiet_hours, required: true });
  const until = h('input', { type: 'time', value: quiet.end, disabled: locked || !settings.quiet_hours, required: true });
  let kept = { ...quiet };
  const saveTimes = () => {
    if (!from.value || !until.value) return;
    if (from.value === until.value) {
      saved.textContent = 'Not saved: choose different times for the start and end.';
      return;
    }
    const chosen = { start: from.value, end: until.value };
    save({ quiet_hours: chosen }, () => { from.value = kept.start; until.value = kept.end; }).then(() => { kept = chosen; });
  };
  from.addEventListener('change', saveTimes);
  until.addEventListener('change', saveTimes);
  const evenings = toggle('Quiet evenings', Boolean(settings.quiet_hours), locked, (on, box) => {
    from.disabled = !on;
    until.disabled = !on;
    save({ quiet_hours: on ? { start: from.value || DEFAULT_QUIET.start, end: until.value || DEFAULT_QUIET.end } : null },
      () => { box.checked = !on; from.disabled = on; until.disabled = on; });
  }, 'Reminders wait until the quiet time ends. None are lost.');
  return { evenings, from, until };
}

/**
 * Which reminders arrive, and the quiet times, saved as they change.
 * @param {import('../reminders.js').NotificationSettings} settings
 * @param {RemindersData} data
 * @param {RemindersActions} actions
 */
function choices(settings, data, actions) {
  const locked = !data.online;
  const saved = h('p', { class: 'save-state', role: 'status' });
  const save = saver(saved, actions);
  const kinds = KIND_LABELS.map(([kind, label]) => toggle(label, settings.kinds[kind], locked,
    (on, box) => save({ kinds: { [kind]: on } }, () => { box.checked = !on; })));
  const { evenings, from, until } = quietEvenings(settings, locked, saved, save);
  const weekends = toggle('Quiet weekends', settings.quiet_weekends, locked,
    (on, box) => save({ quiet_weekends: on }, () => { box.checked = !on; }), 'Reminders wait until Monday.');
  const zone = settings.timezone && settings.timezone !== data.browserZone
    ? `Times are the school’s time (${settings.timezone.replace(/_/g, ' ')}).` : null;

  return [
    h('h3', { class: 'subhead' }, 'Remind me when'),
    h('div', { class: 'settings-list' }, kinds),
    h('h3', { class: 'subhead' }, 'Quiet times'),
    h('div', { class: 'settings-list' }, evenings,
      h('div', { class: 'field-row quiet-times' },
        field('From', from), field('Until', until)),
      weekends),
    h('p', { class: 'hint' }, locked ? 'You are offline: these choices can be changed when you are back online.'
      : `These choices apply wherever you have reminders on.${zone ? ` ${zone}` : ''}`),
    saved,
  ];
}

/**
 * @param {RemindersData} data
 * @param {RemindersActions} actions
 */
export function remindersSection(data, actions) {
  const node = section('Reminders',
    h('p', null, 'Short nudges: a colleague’s notes, a review to do, a next step due, and a Friday reflection.'),
    stateLine(data),
    onOff(data, actions),
    data.state === 'on' && data.settings ? choices(data.settings, data, actions) : null,
    data.state === 'on' && !data.settings ? h('p', { class: 'hint' }, 'Your choices of reminders show here when you are online.') : null);
  node.dataset.reminders = data.state;
  return node;
}
