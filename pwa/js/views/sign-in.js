// @ts-check
/** Sign in: once, online; afterwards the app works without a connection. */

import { field, h } from '../dom.js';

/**
 * @param {{online: boolean, email?: string, message?: string}} data
 * @param {{onSubmit: (email: string, password: string) => Promise<string | null>}} actions
 *   onSubmit resolves with an error message to show, or null when signed in.
 */
export function renderSignIn(data, actions) {
  // typed: the sign-in screen never redraws (it has no refresh); the password is a secret
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: data.email || '', inputmode: 'email', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { class: 'button primary wide', type: 'submit' }, 'Sign in');
  const offline = h('p', { class: 'notice', hidden: data.online },
    'You are offline. Signing in needs a connection the first time; after that, Lesson Loop works without one.');
  if (data.message) error.textContent = data.message;
  const form = h('form', {
    class: 'card sign-in-form', novalidate: true,
    onsubmit: async (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      if (!email.value.trim() || !password.value) {
        error.textContent = 'Enter your school email address and your password.';
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Signing in…';
      const problem = await actions.onSubmit(email.value.trim(), password.value);
      submit.disabled = false;
      submit.textContent = 'Sign in';
      error.textContent = problem || '';
      if (problem) password.select();
    },
  },
  h('h2', { class: 'card-title' }, 'Sign in'),
  field('School email', email),
  field('Password', password),
  error,
  submit);
  return h('div', { class: 'sign-in' },
    h('div', { class: 'sign-in-hero' },
      h('span', { class: 'brand-mark large', 'aria-hidden': 'true' }),
      h('p', { class: 'lede' }, 'Notes from watching each other teach: written in the lesson, merged for the pair, kept safe on this device.')),
    offline,
    form,
    h('p', { class: 'hint center' }, 'Your school’s admin gives you your account. Forgotten your password? Ask them to reset it.'));
}
