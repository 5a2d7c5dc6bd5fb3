// @ts-check
/**
 * Settings' "Second factor" section: set up (QR code, the secret to type, a first code), the
 * recovery codes shown once, turning it off. The QR code is the server's SVG as an image.
 */

import { field, h, section } from '../dom.js';

/**
 * @typedef {'unknown' | 'off' | 'enrolling' | 'codes' | 'on'} FactorState
 * @typedef {{state: FactorState, required: boolean, online: boolean, isAdmin: boolean,
 *   enrolment: import('../second-factor.js').Enrolment | null, codes: string[], codesLeft: number,
 *   typed: {on: string, off: string}}} FactorData
 * @typedef {{onStart: () => void, onConfirm: (otp: string) => void, onCancel: () => void,
 *   onCodesSaved: () => void, onTurnOff: (otp: string) => void,
 *   onType: (which: 'on' | 'off', text: string) => void}} FactorActions
 */

/**
 * A code box that keeps what was typed in it across redraws (the data holds it).
 * @param {'on' | 'off'} which
 * @param {FactorData} data
 * @param {FactorActions} actions
 */
function codeInput(which, data, actions) {
// typed: a one-time code (a secret): kept in memory only, in the section's data (screens/second-factor.js)
  return h('input', {
    name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code', 'aria-label': `Code to turn it ${which}`,
    maxlength: 64, spellcheck: 'false', value: data.typed[which],
    oninput: (/** @type {Event} */ e) => actions.onType(which, /** @type {HTMLInputElement} */ (e.target).value),
  });
}

/** @param {string} secret the base32 secret in groups of four, easier to type */
function grouped(secret) {
  return (secret.match(/.{1,4}/g) || []).join(' ');
}

/**
 * @param {FactorData} data
 * @param {FactorActions} actions
 */
function enrolling(data, actions) {
  const enrolment = /** @type {import('../second-factor.js').Enrolment} */ (data.enrolment);
  const input = codeInput('on', data, actions);
  return [
    h('p', null, 'Scan this with an authenticator app (Microsoft Authenticator, Google Authenticator, 1Password…), then type the 6-digit code it shows.'),
    h('img', { class: 'qr-code', src: enrolment.qr_svg, alt: 'QR code for your authenticator app', width: 200, height: 200 }),
    h('p', { class: 'hint' }, 'Cannot scan? Type this key into the app instead:'),
    h('p', null, h('code', { class: 'totp-secret' }, grouped(enrolment.secret))),
    field('6-digit code', input),
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'button primary', onclick: () => actions.onConfirm(input.value.trim()) }, 'Turn on'),
      h('button', { type: 'button', class: 'button quiet', onclick: actions.onCancel }, 'Cancel')),
  ];
}

/**
 * @param {FactorData} data
 * @param {FactorActions} actions
 */
function recoveryCodes(data, actions) {
  return [
    h('p', { class: 'notice' }, 'Your second factor is on. Write down these recovery codes now and keep them safe: each works once, if you lose your phone. They will not be shown again.'),
    h('ol', { class: 'recovery-codes' }, data.codes.map((code) => h('li', null, h('code', null, code)))),
    h('button', { type: 'button', class: 'button primary wide', onclick: actions.onCodesSaved }, 'I have written them down'),
  ];
}

/**
 * @param {FactorData} data
 * @param {FactorActions} actions
 */
function turnedOn(data, actions) {
  const input = codeInput('off', data, actions);
  return [
    h('p', null, `On: signing in asks for a code from your authenticator app. ${data.codesLeft} recovery ${data.codesLeft === 1 ? 'code' : 'codes'} left.`),
    data.required ? h('p', { class: 'hint' }, 'Your school requires it for you, so it stays on.')
      : h('div', null, field('Code (or a recovery code) to turn it off', input),
        h('button', { type: 'button', class: 'button quiet', onclick: () => actions.onTurnOff(input.value.trim()) }, 'Turn off')),
  ];
}

/**
 * @param {FactorData} data
 * @param {FactorActions} actions
 */
function turnedOff(data, actions) {
  return [
    data.required ? h('p', { class: 'notice', role: 'alert' }, 'Your school asks you to set up a second factor. Until you do, Lesson Loop cannot send or receive your notes (they are kept on this device).')
      : h('p', null, 'A second factor keeps your account safe if someone learns your password: signing in also asks for a code from an app on your phone.'),
    h('button', { type: 'button', class: 'button primary wide', disabled: !data.online, onclick: actions.onStart }, 'Set up a second factor'),
  ];
}

const BODIES = { off: turnedOff, enrolling, codes: recoveryCodes, on: turnedOn };

/**
 * @param {FactorData} data
 * @param {FactorActions} actions
 */
export function secondFactorSection(data, actions) {
  const body = data.state === 'unknown'
    ? [h('p', { class: 'hint' }, data.online ? 'Loading…' : 'Connect to see or change your second factor.')]
    : BODIES[data.state](data, actions);
  const admin = data.isAdmin
    ? h('p', null, h('a', { href: '#/school-security' }, 'School security: second factor requirement and staff roster'))
    : null;
  return section('Second factor', ...body, admin);
}
