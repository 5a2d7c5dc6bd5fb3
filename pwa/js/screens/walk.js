// @ts-check
/**
 * The capture screen of a learning walk (screens/capture.js hands a walk over to it): a visit
 * record per classroom (entity `visit`, a PROTOCOL.md extension) with its year group, team and
 * class; look-for ticks and short notes carry the visit's id (`visit_id`). The open classroom
 * is the capture state's `visitId`; any earlier one can be reopened and corrected, offline
 * too: every change goes through the outbox like any other.
 */

import { can } from '../can.js';
import { readChildren, readEntities, writeDraft } from '../db.js';
import { draftText, submitted } from '../drafts.js';
import { CATEGORIES, DELIVERY, current, delivery, formatTime, newId } from '../model.js';
import { putRecord, saveNote } from '../outbox.js';
import { mountWalk } from '../views/walk.js';
import { beingDeleted, noteActions } from './note-actions.js';

export const YEAR_GROUPS = ['Reception', ...Array.from({ length: 13 }, (_, i) => `Year ${i + 1}`)];

/**
 * @typedef {{
 *   ctx: import('../app.js').Ctx, id: string, me: string, draft: any, obs: Record<string, any>,
 *   walk: import('../db.js').StoredRecord, refresh: () => Promise<void>
 * }} Walk
 */

/**
 * The walk's visits in the order they were made, numbered, with what was recorded in each.
 * @param {import('../db.js').StoredRecord[]} children
 * @param {Map<string, string>} teamNames
 */
export function visitsOf(children, teamNames) {
  const visits = children.filter((r) => r.entity === 'visit').map((r) => ({ record: r, visit: current(r) }))
    .filter(({ visit }) => !visit.deleted).sort((a, b) => Date.parse(a.visit.at) - Date.parse(b.visit.at) || (a.visit.id < b.visit.id ? -1 : 1));
  const notes = children.filter((r) => r.entity === 'note').map(current).filter((n) => !n.deleted && !beingDeleted(n.id));
  return visits.map(({ record, visit }, index) => ({
    id: visit.id, number: index + 1, time: formatTime(visit.at), record,
    yearGroup: visit.year_group || '', teamId: visit.team_id || '', teamName: visit.team_id ? teamNames.get(visit.team_id) || 'A team' : '',
    classLabel: visit.class_label || '',
    ticks: notes.filter((n) => n.visit_id === visit.id && n.category === 'lookfor' && n.lookfor_rating).length,
    notes: notes.filter((n) => n.visit_id === visit.id && n.category !== 'lookfor').length,
  }));
}

/**
 * My notes in the open classroom: its ticks (by look-for) and its short notes.
 * @param {Walk} w
 * @param {import('../db.js').StoredRecord[]} children
 * @param {string | null} visitId
 */
function visitNotes(w, children, visitId) {
  const mine = children.filter((r) => r.entity === 'note' && r.created_by === w.me)
    .map((r) => ({ r, note: current(r) })).filter(({ note }) => !note.deleted && !beingDeleted(note.id) && visitId && note.visit_id === visitId);
  const ticks = new Map(mine.filter(({ note }) => note.category === 'lookfor').map(({ note }) => [note.lookfor_id, note]));
  const notes = mine.filter(({ note }) => note.category !== 'lookfor').sort((a, b) => (a.note.at < b.note.at ? 1 : -1)).map(({ r, note }) => {
    const state = delivery(r, w.ctx.status.sending);
    return {
      id: note.id, text: note.text || '', category: note.category, minute: note.minute ?? null,
      categoryLabel: CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (note.category)] || note.category,
      delivery: state, deliveryLabel: DELIVERY[state], problem: r.problem ? r.problem.message : null,
      canEdit: can(r, 'edit', w.me), canDelete: can(r, 'delete', w.me),
    };
  });
  return { ticks, notes };
}

/**
 * The screen's data now.
 * @param {Walk} w
 */
async function walkData(w) {
  const [children, directory] = await Promise.all([readChildren(w.id), readEntities(['lookfor', 'team', 'focus'])]);
  const teamNames = new Map(directory.team.map((t) => [t.id, String(current(t).name || 'A team')]));
  const visits = visitsOf(children, teamNames);
  const open = visits.find((v) => v.id === w.draft.visitId) || null;
  const { ticks, notes } = visitNotes(w, children, open ? open.id : null);
  const focusIds = w.obs.focus_ids || [];
  const lookfors = directory.lookfor.map(current).filter((l) => !l.deleted && l.active !== false && focusIds.includes(l.focus_id));
  return {
    data: {
      title: w.obs.title, route: w.obs.class_label || '', visits, current: open,
      focus: directory.focus.filter((f) => focusIds.includes(f.id)).map((f) => String(current(f).title)).join(', '),
      canEditVisit: open ? can(open.record, 'edit', w.me) : true, yearGroups: YEAR_GROUPS,
      teams: directory.team.map((t) => ({ id: t.id, name: String(current(t).name || 'A team') })).sort((a, b) => a.name.localeCompare(b.name)),
      lookfors: lookfors.map((l) => ({ id: l.id, text: String(l.text), rating: ticks.get(l.id)?.lookfor_rating ?? null })),
      notes, text: draftText(`capture/${w.id}`) ?? '', draftKey: `capture/${w.id}`,
    },
    ticks,
  };
}

/**
 * A new classroom: its visit record, opened at once.
 * @param {Walk} w
 */
async function newVisit(w) {
  const id = newId();
  await putRecord('visit', id, { observation_id: w.id, at: new Date().toISOString() });
  w.draft.visitId = id;
  await writeDraft({ ...w.draft });
  await w.refresh();
  const { data } = await walkData(w);
  w.ctx.toast(`Classroom ${data.visits.length}: ticks and notes now count for it.`);
}

/**
 * Tick a look-for in the open classroom (changing the tick it had, if any).
 * @param {Walk} w
 * @param {string} lookforId
 * @param {string} rating
 */
async function rate(w, lookforId, rating) {
  const visitId = w.draft.visitId;
  if (!visitId) return;
  const existing = (await walkData(w)).ticks.get(lookforId);
  if (existing) await putRecord('note', existing.id, { lookfor_rating: rating });
  else {
    await putRecord('note', newId(), {
      observation_id: w.id, at: new Date().toISOString(), category: 'lookfor', text: '',
      lookfor_id: lookforId, lookfor_rating: rating, visit_id: visitId,
    });
  }
  await w.refresh();
}

/**
 * Save the typed words as a short note of the open classroom.
 * @param {Walk} w
 * @param {string} text
 */
async function saveShort(w, text) {
  const key = `capture/${w.id}`;
  const fields = { observation_id: w.id, at: new Date().toISOString(), category: 'evidence', text, visit_id: w.draft.visitId };
  await submitted([key], { inTransaction: true });
  try {
    await saveNote(newId(), fields, { ...w.draft }, key);
  } catch (error) {
    w.ctx.toast(`Your note could not be saved: ${error instanceof Error ? error.message : error}. It is still in the box.`, { tone: 'error' });
    return false;
  }
  await w.refresh();
  return true;
}

/**
 * @param {Walk} w
 * @returns {import('../views/walk.js').WalkActions}
 */
function walkActions(w) {
  return {
    ...noteActions(w.ctx, w.refresh),
    onNewVisit: () => newVisit(w),
    async onOpenVisit(id) {
      w.draft.visitId = id;
      await writeDraft({ ...w.draft });
      await w.refresh();
    },
    async onVisit(fields) {
      if (!w.draft.visitId) return;
      await putRecord('visit', w.draft.visitId, fields);
      await w.refresh();
    },
    onRate: (lookforId, rating) => rate(w, lookforId, rating),
    onSave: (text) => saveShort(w, text),
  };
}

/**
 * The walk's capture screen (its Done button and leaving are the capture screen's).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../db.js').StoredRecord} walk the observation
 * @param {any} draft its capture state
 */
export async function walkCapture(ctx, walk, draft) {
  /** @type {Walk} */
  const w = {
    ctx, id: walk.id, me: ctx.session.user.id, draft, obs: current(walk), walk,
    refresh: async () => view.update((await walkData(w)).data),
  };
  const view = mountWalk((await walkData(w)).data, walkActions(w));
  return { node: view.node, focus: view.focus, refresh: w.refresh, currentText: view.currentText, title: w.obs.title };
}

/**
 * What a walk's review shows: the ticks per look-for over the whole walk, and per classroom.
 * @param {string} walkId
 */
export async function walkSummary(walkId) {
  const [children, directory] = await Promise.all([readChildren(walkId), readEntities(['lookfor', 'team'])]);
  const teamNames = new Map(directory.team.map((t) => [t.id, String(current(t).name || 'A team')]));
  const lookforText = new Map(directory.lookfor.map((l) => [l.id, String(current(l).text)]));
  const ticks = children.filter((r) => r.entity === 'note').map(current)
    .filter((n) => !n.deleted && n.category === 'lookfor' && n.lookfor_id && n.lookfor_rating);
  /** @type {Map<string, {text: string, seen: number, partly: number, not_seen: number}>} */
  const byLookfor = new Map();
  for (const tick of ticks) {
    const row = byLookfor.get(tick.lookfor_id) || { text: lookforText.get(tick.lookfor_id) || 'A look-for', seen: 0, partly: 0, not_seen: 0 };
    row[/** @type {'seen' | 'partly' | 'not_seen'} */ (tick.lookfor_rating)] += 1;
    byLookfor.set(tick.lookfor_id, row);
  }
  const visits = visitsOf(children, teamNames).map(({ record, ...visit }) => {
    const mine = ticks.filter((t) => t.visit_id === visit.id);
    const count = (/** @type {string} */ rating) => mine.filter((t) => t.lookfor_rating === rating).length;
    return { ...visit, seen: count('seen'), partly: count('partly'), not_seen: count('not_seen') };
  });
  return { lookfors: [...byLookfor.values()], visits };
}
