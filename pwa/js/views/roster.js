// @ts-check
/** The admin's staff roster: choose the file, see every change first, then apply. */

import { h, section } from '../dom.js';

/**
 * @typedef {{online: boolean, file: File | null, plan: import('../second-factor.js').RosterPlan | null,
 *   applied: boolean, errors: string[]}} RosterData
 * @typedef {{onFile: (file: File | null) => void, onPreview: () => void, onApply: () => void}} RosterActions
 */

const KIND_WORDS = /** @type {Record<string, string>} */ ({ join: 'Joins', move: 'Changes', return: 'Returns', leave: 'Leaves' });

/** @param {import('../second-factor.js').RosterChange} change */
function changeItem(change) {
  return h('li', { class: 'roster-change', dataset: { kind: change.kind } },
    h('strong', null, `${KIND_WORDS[change.kind] || change.kind}: `),
    `${change.display_name} (${change.email})`,
    change.details.length ? h('span', { class: 'hint' }, ` ${change.details.join('; ')}`) : null);
}

/** @param {RosterData} data */
function planList(data) {
  const plan = /** @type {import('../second-factor.js').RosterPlan} */ (data.plan);
  const heading = data.applied ? 'Done: the staff now match the roster.' : `${plan.changes.length} ${plan.changes.length === 1 ? 'change' : 'changes'} (nothing is changed until you apply):`;
  return [
    h('p', { class: data.applied ? 'notice' : null }, heading),
    h('ul', { class: 'roster-changes' }, plan.changes.map(changeItem)),
    plan.kept_admins.length ? h('p', { class: 'hint' }, `Kept (admins not in the roster): ${plan.kept_admins.join(', ')}`) : null,
    plan.teams_created.length ? h('p', { class: 'hint' }, `New teams: ${plan.teams_created.join(', ')}`) : null,
    plan.temporary_passwords.length ? h('div', null,
      h('p', null, 'First passwords for the new accounts (shown once; pass them on privately):'),
      h('ul', { class: 'temporary-passwords' }, plan.temporary_passwords.map((p) => h('li', null, `${p.email}: `, h('code', null, p.password))))) : null,
  ];
}

/**
 * @param {RosterData} data
 * @param {RosterActions} actions
 */
export function rosterSection(data, actions) {
  const input = h('input', { type: 'file', name: 'roster', accept: '.zip,.csv,application/zip,text/csv', onchange: () => actions.onFile(input.files && input.files[0] ? input.files[0] : null) });
  const canApply = Boolean(data.plan && !data.applied && data.plan.changes.length);
  return section('Staff roster',
    h('p', null, 'Keep the staff list current from your MIS: a OneRoster 1.2 export (zip) or the staff CSV. Joiners get accounts, movers are updated, leavers are signed out (their records stay).'),
    h('label', { class: 'field' }, 'Roster file', input),
    data.file ? h('p', { class: 'hint' }, `Chosen: ${data.file.name}`) : null,
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'button', disabled: !data.file || !data.online, onclick: actions.onPreview }, 'Preview changes'),
      h('button', { type: 'button', class: 'button primary', disabled: !canApply || !data.online, onclick: actions.onApply }, 'Apply these changes')),
    data.errors.length ? h('ul', { class: 'form-error roster-errors', role: 'alert' }, data.errors.map((e) => h('li', null, e))) : null,
    ...(data.plan ? planList(data) : []));
}
