// @ts-check
/**
 * What the person may do with a record, as the server said when it sent it: every pulled
 * record carries `can` (a PROTOCOL.md extension, computed by server/policy.py for the reader),
 * and every screen asks here before it offers a control. Nothing of the rules is re-derived
 * on the device: a record the server sent without `can` offers nothing, and one this device
 * made itself that has not come back in a pull yet is its creator's to change (it is theirs).
 * When a rule's answer changes, the record comes again with its new `can`.
 */

/** @typedef {import('./db.js').StoredRecord} StoredRecord */

/** The actions each entity's `can` answers (PROTOCOL.md extension "can"). */
export const ACTIONS = Object.freeze({
  observation: ['edit', 'share', 'delete', 'add_notes'],
  note: ['edit', 'delete'],
  next_step: ['edit'],
  focus: ['edit'],
  lookfor: ['edit'],
  visit: ['edit'],
});

/**
 * Whether the person may do `action` to the record.
 * @param {StoredRecord | null | undefined} record as stored on this device
 * @param {string} action e.g. "edit", "share", "delete", "add_notes"
 * @param {string} me the signed-in person's id
 */
export function can(record, action, me) {
  if (!record) return false;
  if (record.can) return record.can[action] === true;
  return Boolean(me) && record.created_by === me;
}

/**
 * Every action of the record's entity at once: `{edit: true, share: false, ...}`.
 * @param {StoredRecord | null | undefined} record
 * @param {string} me
 * @returns {Record<string, boolean>}
 */
export function allowed(record, me) {
  const names = record ? ACTIONS[/** @type {keyof typeof ACTIONS} */ (record.entity)] || [] : [];
  return Object.fromEntries(names.map((name) => [name, can(record, name, me)]));
}

/**
 * The `can` of a pulled change, kept with the record (null: the server sent none).
 * @param {any} change a change of a pull page
 * @returns {Record<string, boolean> | null}
 */
export function pulledCan(change) {
  const value = change && change.can;
  if (!value || typeof value !== 'object') return null;
  return Object.fromEntries(Object.entries(value).map(([name, yes]) => [name, yes === true]));
}
