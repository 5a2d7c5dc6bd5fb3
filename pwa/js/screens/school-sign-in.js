// @ts-check
/**
 * School sign-in: the "Sign in with ..." options on the Sign in screen, the screen the
 * provider sends the browser back to (`#/school-sign-in/<code>`) and the admin's set-up
 * screen (`#/sign-in-setup`).
 */

import { ApiError, NetworkError } from '../api.js';
import { h, replace } from '../dom.js';
import {
  addProvider, changeProvider, exchangeCode, fetchSignInSettings, removeProvider, setCreateAccounts,
  signInOptions, startUrl,
} from '../school-sign-in.js';
import { PROVIDER_KEYS, renderFinishing, renderOptions, renderSetup } from '../views/school-sign-in.js';
import { submitted } from '../drafts.js';

const LOOKUP_DELAY_MS = 400;
const LOOKS_LIKE_EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Ask, once the email is typed, which providers its school offers, and show them above the
 * password (the password form itself is unchanged).
 * @param {HTMLElement} node the Sign in screen's node
 */
export function offerSchoolSignIn(node) {
  const form = /** @type {HTMLFormElement | null} */ (node.querySelector('form'));
  const email = /** @type {HTMLInputElement | null} */ (node.querySelector('input[name=email]'));
  const password = node.querySelector('input[name=password]');
  const before = password && password.closest('.field');
  if (!form || !email || !before) return node;
  const slot = h('div', { class: 'school-options-slot', 'aria-live': 'polite' });
  form.insertBefore(slot, before);
  let asked = '';
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const lookUp = async () => {
    const typed = email.value.trim().toLowerCase();
    if (typed === asked) return;
    asked = typed;
    const options = LOOKS_LIKE_EMAIL.test(typed) ? await signInOptions(typed).catch(() => []) : [];
    if (asked !== typed) return;
    replace(slot, renderOptions(options, (option) => { location.assign(startUrl(option)); }));
  };
  email.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(lookUp, LOOKUP_DELAY_MS); });
  email.addEventListener('change', () => { clearTimeout(timer); lookUp(); });
  if (email.value) lookUp();
  return node;
}

/**
 * Where the provider sends the browser back: trade the code, then in as after a password.
 * @param {import('../app.js').Ctx} ctx
 * @param {{id: string}} params the one-time code
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function schoolSignInScreen(ctx, params) {
  history.replaceState(null, '', '#/school-sign-in'); // the code is used once; keep it out of history
  const node = renderFinishing({ problem: null });
  const screen = { title: 'Lesson Loop', tab: 'signin', hideTabs: true, node };
  exchangeCode(params.id).then(ctx.signedIn, (error) => {
    let problem = error instanceof Error ? error.message : String(error);
    if (error instanceof NetworkError) problem = 'No connection to your school’s server. Try again.';
    else if (error instanceof ApiError && error.status === 401) problem = 'This sign-in has already been used or has expired. Sign in again.';
    replace(node, ...renderFinishing({ problem }).childNodes);
  });
  return screen;
}

/** The client secret being typed into the add form: in memory only, never in IndexedDB. */
const typed = { secret: '' };

/**
 * The admin's set-up: providers (presets for Google and Microsoft), new accounts.
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function signInSetupScreen(ctx) {
  if (ctx.session.user.role !== 'admin') return ctx.missing('Only a school admin sets up school sign-in.');
  const token = ctx.session.token;
  const act = async (/** @type {() => Promise<any>} */ change, /** @type {string} */ done) => {
    try {
      await change();
      ctx.toast(done);
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof NetworkError)) throw error;
      const details = error instanceof ApiError && error.details ? ` ${Object.values(error.details).flat().join(' ')}` : '';
      ctx.toast(`${error.message}${details}`, { tone: 'error' });
    }
    await screen.refresh();
  };
  /** @type {import('../views/school-sign-in.js').SetupActions} */
  const actions = {
    onAdd: (body) => act(async () => { await addProvider(token, body); await submitted(PROVIDER_KEYS); typed.secret = ''; }, 'Provider added.'),
    onToggle: (id, enabled) => act(() => changeProvider(token, id, { enabled }), enabled ? 'Turned on.' : 'Turned off.'),
    onRemove: (id) => { if (window.confirm('Remove this provider? People then sign in with a password.')) act(() => removeProvider(token, id), 'Removed.'); },
    onCreateAccounts: (value) => act(() => setCreateAccounts(token, value), 'Saved.'),
  };
  const draw = async () => renderSetup({ settings: ctx.online ? await fetchSignInSettings(token).catch(() => null) : null, online: ctx.online, typed }, actions);
  const screen = {
    title: 'School sign-in', tab: 'settings', back: '#/settings', node: await draw(),
    async refresh() {
      const next = await draw();
      screen.node.replaceWith(next);
      screen.node = next;
    },
  };
  return screen;
}

/** Settings' way to the set-up, for admins. */
export function signInSetupLink() {
  return h('section', { class: 'section' }, h('h2', null, 'School sign-in'),
    h('p', { class: 'hint' }, 'Let staff sign in with their Google or Microsoft school account.'),
    h('a', { class: 'button wide quiet', href: '#/sign-in-setup' }, 'Set up Google or Microsoft sign-in'));
}
