// @ts-check
/** Sign in, second step: the code from the authenticator app (or a recovery code). */

import { field, h } from '../dom.js';

/**
 * @param {{email: string}} data
 * @param {{onSubmit: (otp: string) => Promise<string | null>, onBack: () => void}} actions
 *   onSubmit resolves with an error message to show, or null when signed in.
 */
export function renderOtp(data, actions) {
  // typed: a one-time code (a secret) on a sign-in step, which never redraws
  const otp = h('input', { name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, maxlength: 64, spellcheck: 'false', autocapitalize: 'none' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { class: 'button primary wide', type: 'submit' }, 'Continue');
  const form = h('form', {
    class: 'card sign-in-form otp-form', novalidate: true,
    onsubmit: async (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      if (!otp.value.trim()) {
        error.textContent = 'Enter the 6-digit code from your authenticator app.';
        return;
      }
      submit.disabled = true;
      const problem = await actions.onSubmit(otp.value.trim());
      submit.disabled = false;
      error.textContent = problem || '';
      if (problem) otp.select();
    },
  },
  h('h2', { class: 'card-title' }, 'Enter your code'),
  h('p', null, `Open your authenticator app and type the code for ${data.email}.`),
  field('6-digit code', otp, 'Lost your phone? Type one of your recovery codes instead.'),
  error,
  submit,
  h('button', { type: 'button', class: 'button quiet wide', onclick: actions.onBack }, 'Back'));
  return h('div', { class: 'sign-in' }, form);
}
