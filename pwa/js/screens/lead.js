// @ts-check
/** The Lead screen: school focuses and look-fors, observations shared with leads, reports. */

import { submitted } from '../drafts.js';
import { current, isoDay, newId } from '../model.js';
import { putRecord } from '../outbox.js';
import { downloadReport } from '../reports.js';
import { editKeys, renderLead } from '../views/lead.js';
import { live, nameMap, readAll, redrawnScreen, summary } from './common.js';
import { can } from '../can.js';
import { loadTrend } from '../trend.js';

/** The first of September of this school year. */
function schoolYearStart() {
  const now = new Date();
  const year = now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1;
  return `${year}-09-01`;
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function load(ctx) {
  const me = ctx.session.user.id;
  const all = await readAll();
  const names = nameMap(all.user);
  const lookfors = live(all.lookfor);
  // Each focus and look-for offers its controls only where its `can.edit` allows (js/can.js).
  const editable = new Set([...all.focus, ...all.lookfor].filter((r) => can(r, 'edit', me)).map((r) => `${r.entity}:${r.id}`));
  const focuses = live(all.focus).filter((f) => f.kind === 'school')
    .sort((a, b) => (a.active === b.active ? a.title.localeCompare(b.title) : a.active === false ? 1 : -1));
  const shared = live(all.observation).filter((o) => o.visibility === 'leads').sort((a, b) => (a.starts_at < b.starts_at ? 1 : -1));
  return {
    focuses: focuses.map((f) => ({
      id: f.id, title: f.title, description: f.description || '', active: f.active !== false, canEdit: editable.has(`focus:${f.id}`),
      lookfors: lookfors.filter((l) => l.focus_id === f.id).map((l) => ({ id: l.id, text: l.text, active: l.active !== false, canEdit: editable.has(`lookfor:${l.id}`) }))
        .sort((a, b) => Number(b.active) - Number(a.active)),
    })),
    shared: shared.map((o) => {
      const s = summary(o, me, names);
      const people = (o.participants || []).map((/** @type {any} */ p) => names.get(p.user_id)).filter(Boolean).join(', ');
      return { id: s.id, title: s.title, when: s.when, kind: s.kind, people, href: `#/review/${o.id}`, kindValue: o.kind, day: isoDay(new Date(o.starts_at)), focusIds: o.focus_ids || [] };
    }),
    teachers: all.user.map((u) => ({ id: u.id, name: String(current(u).display_name), active: u.fields.active !== false }))
      .filter((u) => u.active).sort((a, b) => a.name.localeCompare(b.name)),
    online: ctx.online,
    from: schoolYearStart(),
    to: isoDay(new Date()),
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function leadScreen(ctx) {
  if (!ctx.isLead) return ctx.missing('The Lead screen is for leads. Ask your school admin if you need it.');
  const change = async (/** @type {string} */ entity, /** @type {string} */ id, /** @type {Record<string, any>} */ fields, /** @type {string} */ message, /** @type {string[]} */ typed = []) => {
    await putRecord(entity, id, fields);
    await submitted(typed);
    ctx.toast(message);
    await screen.refresh();
  };
  /** @type {import('../views/lead.js').LeadActions} */
  const actions = {
    onCreateFocus: (title, description) => change('focus', newId(), { title, description, kind: 'school', active: true }, 'School focus added.', ['lead/new-focus/title', 'lead/new-focus/description']),
    onEditFocus: (id, fields) => change('focus', id, fields, 'Focus saved.', editKeys.focus(id)),
    onFocusActive: (id, active) => change('focus', id, { active }, active ? 'Focus brought back.' : 'Focus retired. Its history is kept.'),
    onAddLookfor: (focusId, text) => change('lookfor', newId(), { focus_id: focusId, text, active: true }, 'Look-for added.', [`lead/${focusId}/new-lookfor`]),
    onEditLookfor: (id, text) => change('lookfor', id, { text }, 'Look-for saved.', [editKeys.lookfor(id)]),
    onLookforActive: (id, active) => change('lookfor', id, { active }, active ? 'Look-for brought back.' : 'Look-for retired. Past ticks are kept.'),
    onDownload: async (path) => ctx.toast(await downloadReport(path)),
    loadTrend, // the current focus's chart (js/trend.js)
  };
  const screen = await redrawnScreen('Lead', 'lead', async () => renderLead(await load(ctx), actions));
  return screen;
}
