// @ts-check
/**
 * The admin's "School security" screen: who must have a second factor (with the recommendation
 * for leads and admins), and the staff roster's preview and apply (views/roster.js).
 */

import { chips, h, section } from '../dom.js';

/**
 * @typedef {{online: boolean, requirement: import('../second-factor.js').Requirement | null}} SchoolSecurityData
 * @typedef {{onRequire: (requiredFor: string) => void}} SchoolSecurityActions
 */

const CHOICES = [
  { value: 'nobody', label: 'Nobody' },
  { value: 'leads', label: 'Leads and admins' },
  { value: 'everyone', label: 'Everyone' },
];

/** @param {import('../second-factor.js').Requirement} requirement */
function recommendation(requirement) {
  if (requirement.required_for !== 'nobody') return null;
  return h('p', { class: 'notice recommend-mfa', role: 'note' },
    'Recommended: require a second factor for leads and admins. They can read every observation in the school, ',
    'and a second factor stops a guessed or reused password from opening them. ',
    `${requirement.leads_without_second_factor} of your leads and admins have not set one up yet.`);
}

/**
 * @param {SchoolSecurityData} data
 * @param {SchoolSecurityActions} actions
 */
function requirementSection(data, actions) {
  const requirement = data.requirement;
  if (!requirement) {
    return section('Second factor', h('p', { class: 'hint' }, data.online ? 'Loading…' : 'Connect to see or change the school’s sign-in settings.'));
  }
  return section('Second factor',
    recommendation(requirement),
    chips('Who must use a second factor', CHOICES, requirement.required_for, actions.onRequire, { name: 'required_for' }),
    h('p', { class: 'hint' }, 'People who must and have not set one up can still sign in, but only to set it up in Settings; their unsent notes wait on their device. Set up your own first.'),
    h('p', { class: 'hint' }, `${requirement.staff_without_second_factor} active ${requirement.staff_without_second_factor === 1 ? 'account has' : 'accounts have'} no second factor.`));
}

/**
 * @param {SchoolSecurityData} data
 * @param {SchoolSecurityActions} actions
 * @param {HTMLElement | null} roster the roster's section (views/roster.js)
 */
export function renderSchoolSecurity(data, actions, roster) {
  return h('div', { class: 'screen school-security' }, requirementSection(data, actions), roster);
}
