// @ts-check
/** School sign-in's views: the "Sign in with ..." buttons, the screen the provider sends the
 * browser back to, and the admin's providers. */

import { field, h, section } from '../dom.js';

/**
 * The school's options for the email typed, above the password.
 * @param {import('../school-sign-in.js').SignInOption[]} options
 * @param {(option: import('../school-sign-in.js').SignInOption) => void} onChoose
 */
export function renderOptions(options, onChoose) {
  if (!options.length) return h('div', { class: 'school-options', hidden: true });
  return h('div', { class: 'school-options', role: 'group', 'aria-label': 'Your school’s sign-in' },
    ...options.map((option) => h('button', {
      type: 'button', class: 'button wide', dataset: { provider: option.kind },
      onclick: () => onChoose(option),
    }, `Sign in with ${option.label}`)),
    h('p', { class: 'hint center' }, 'or with your Lesson Loop password:'));
}

/**
 * While the code from the provider is traded for this device's sign-in, or why it failed.
 * @param {{problem: string | null}} data
 */
export function renderFinishing(data) {
  return h('div', { class: 'sign-in' },
    h('div', { class: 'card sign-in-form' },
      h('h2', { class: 'card-title' }, data.problem ? 'Not signed in' : 'Signing you in…'),
      data.problem ? h('p', { class: 'form-error', role: 'alert' }, data.problem) : null,
      data.problem ? h('a', { class: 'button primary wide', href: '#/signin' }, 'Back to sign in') : null));
}

const KIND_NAMES = /** @type {Record<string, string>} */ ({ google: 'Google Workspace', microsoft: 'Microsoft Entra (365)', oidc: 'Another OpenID provider' });

/**
 * One provider of the school, with its switch and removal.
 * @param {import('../school-sign-in.js').Provider} provider
 * @param {{onToggle: (id: string, enabled: boolean) => void, onRemove: (id: string) => void}} actions
 */
function providerItem(provider, actions) {
  return h('li', { class: 'provider-item', dataset: { provider: provider.kind } },
    h('strong', null, `“Sign in with ${provider.label}” (${KIND_NAMES[provider.kind] || provider.kind})`),
    h('p', { class: 'hint' }, `${provider.allowed_domains.join(', ')} · client ${provider.client_id}${provider.enabled ? '' : ' · turned off'}`),
    h('button', { type: 'button', class: 'button quiet', onclick: () => actions.onToggle(provider.id, !provider.enabled) }, provider.enabled ? 'Turn off' : 'Turn on'),
    h('button', { type: 'button', class: 'button quiet danger', onclick: () => actions.onRemove(provider.id) }, 'Remove'));
}

/** The add form's drafts (drafts.js), by field; the client secret is never one (see addForm). */
export const PROVIDER_KEYS = ['kind', 'label', 'tenant', 'issuer', 'client_id', 'allowed_domains'].map((name) => `sign-in-setup/${name}`);

/**
 * The form to add a provider: a preset's kind, its client, the school's email domains. What is
 * typed outlives the screen's redraws: drafts for the plain fields, and the client secret in
 * `typed` (memory only, never IndexedDB).
 * @param {(body: Record<string, any>) => void} onAdd
 * @param {{secret: string}} typed
 */
function addForm(onAdd, typed) {
  const [kindKey, labelKey, tenantKey, issuerKey, clientKey, domainsKey] = PROVIDER_KEYS;
  const kind = h('select', { name: 'kind', dataset: { draft: kindKey } },
    ...Object.entries(KIND_NAMES).map(([value, label]) => h('option', { value }, label)));
  const label = h('input', { type: 'text', name: 'label', autocomplete: 'off', dataset: { draft: labelKey } });
  const tenant = h('input', { type: 'text', name: 'tenant', autocomplete: 'off', spellcheck: 'false', dataset: { draft: tenantKey } });
  const issuer = h('input', { name: 'issuer', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', dataset: { draft: issuerKey } });
  const clientId = h('input', { type: 'text', name: 'client_id', autocomplete: 'off', spellcheck: 'false', required: true, dataset: { draft: clientKey } });
  // typed: a secret, kept in memory only
  const secret = h('input', { name: 'client_secret', type: 'password', autocomplete: 'new-password', required: true, value: typed.secret,
    oninput: (/** @type {Event} */ e) => { typed.secret = /** @type {HTMLInputElement} */ (e.target).value; } });
  const domains = h('input', { type: 'text', name: 'allowed_domains', autocomplete: 'off', spellcheck: 'false', required: true, dataset: { draft: domainsKey } });
  const values = () => ({
    kind: kind.value, label: label.value.trim(), tenant: tenant.value.trim(), issuer: issuer.value.trim(), client_id: clientId.value.trim(),
    client_secret: secret.value, allowed_domains: domains.value.split(/[\s,]+/).filter(Boolean).map((d) => d.toLowerCase()),
  });
  return h('form', {
    class: 'provider-form', novalidate: true,
    onsubmit: (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      const body = /** @type {Record<string, any>} */ (values());
      if (body.kind !== 'microsoft') delete body.tenant;
      if (body.kind !== 'oidc') delete body.issuer;
      if (!body.label) delete body.label;
      onAdd(body);
    },
  },
  field('Provider', kind),
  field('Button text', label, 'Shown as “Sign in with …”; empty: Google, Microsoft or “your school account”.'),
  field('Tenant ID (Microsoft only)', tenant, 'The Directory (tenant) ID on Entra’s overview page.'),
  field('Issuer URL (another provider only)', issuer),
  field('Client ID', clientId),
  field('Client secret', secret, 'Stored on the server; never shown again.'),
  field('Email domains', domains, 'Separate several with commas: school.org.uk, staff.school.org.uk'),
  h('button', { type: 'submit', class: 'button primary wide' }, 'Add provider'));
}

/**
 * @typedef {{onAdd: (body: Record<string, any>) => void, onToggle: (id: string, enabled: boolean) => void,
 *   onRemove: (id: string) => void, onCreateAccounts: (value: boolean) => void}} SetupActions
 */

/**
 * The admin's school sign-in screen.
 * @param {{settings: import('../school-sign-in.js').SignInSettings | null, online: boolean, typed: {secret: string}}} data
 * @param {SetupActions} actions
 */
export function renderSetup(data, actions) {
  const settings = data.settings;
  if (!settings) {
    return h('div', { class: 'screen' }, h('p', { class: 'notice' }, data.online
      ? 'The sign-in settings could not be read. Try again.' : 'You are offline. School sign-in is set up online.'));
  }
  const create = h('input', { type: 'checkbox', role: 'switch', name: 'create_accounts', checked: settings.create_accounts_on_first_sign_in,
    onchange: (/** @type {Event} */ event) => actions.onCreateAccounts(/** @type {HTMLInputElement} */ (event.target).checked) });
  return h('div', { class: 'screen' },
    section('Your school’s providers',
      settings.providers.length
        ? h('ul', { class: 'provider-list' }, ...settings.providers.map((p) => providerItem(p, actions)))
        : h('p', { class: 'hint' }, 'None yet: everyone signs in with a password.'),
      h('p', { class: 'hint' }, 'Register this redirect URI with the provider: ', h('code', { class: 'redirect-uri' }, settings.redirect_uri)),
      h('p', { class: 'hint' }, `Scopes: ${settings.scopes}. How to: docs/sign-in.md.`)),
    section('New accounts',
      h('label', { class: 'switch setting' }, create, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
        h('span', { class: 'setting-text' }, 'Create an account (teacher) the first time someone of the school signs in',
          h('span', { class: 'setting-hint' }, 'Off: only people your admin has added can sign in.')))),
    section('Add a provider', addForm(actions.onAdd, data.typed)));
}
