// @ts-check
/** The Review screen's data and actions: merged notes, talk-through fields, conflicts, next steps. */

import { readChildren, readEntities, readRecord, readTimeline } from '../db.js';
import {
  CATEGORIES, DELIVERY, KINDS, ROLES, STATUSES, byTime, current, delivery, formatTime, formatWhen,
  isoDay, newId, observees, openConflicts, roleOf,
} from '../model.js';
import { basesOf, saved, submitted } from '../drafts.js';
import { putRecord } from '../outbox.js';
import { downloadReport } from '../reports.js';
import { whoHasSeenThis } from './rights.js';
import { photoSection } from './photos.js';
import { notePhotos, openPhoto, withPhotos } from './note-photos.js';
import { choose, waiting } from '../undo.js';
import { mountReview } from '../views/review.js';
import { byDue, live, nameMap, stepItem } from './common.js';
import { beingDeleted, noteActions } from './note-actions.js';
import { followChanges } from '../live.js';
import { allowed, can } from '../can.js';
import { walkSummary } from './walk.js';

const FIELD_LABELS = /** @type {Record<string, string>} */ ({
  strengths: 'Strengths', wonderings: 'Wonderings', reflection: 'Reflection', focus_question: 'Their question',
  learning_intention: 'Learning intention', title: 'Title', class_label: 'Class', subject: 'Subject',
  year_group: 'Year group', status: 'Status', visibility: 'Sharing', lesson_started_at: 'Lesson clock',
});
const FIELD_DELAY_MS = 300;
const FIRST_NOTES = 60;

/**
 * The notes and next steps of an observation: all of them, or, for a quick first screen, the
 * first notes in time order and how many there are (the rest follow at once).
 * @param {string} id
 * @param {boolean} quick
 */
async function readParts(id, quick) {
  if (!quick) {
    const children = await readChildren(id);
    const notes = children.filter((r) => r.entity === 'note');
    return { notes, steps: children.filter((r) => r.entity === 'next_step'), total: notes.length, complete: true };
  }
  const [{ notes, total }, { next_step: steps }] = await Promise.all([readTimeline(id, FIRST_NOTES), readEntities(['next_step'])]);
  const mine = steps.filter((s) => current(s).observation_id === id);
  return { notes, steps: mine, total, complete: notes.length >= total };
}

const CO_WRITTEN = new Set(['strengths', 'wonderings', 'reflection', 'focus_question', 'learning_intention']);

/**
 * A value as the person reads it (a status or sharing in words).
 * @param {string} field
 * @param {string} value
 */
function shown(field, value) {
  if (field === 'status') return STATUSES[/** @type {keyof typeof STATUSES} */ (value)] || value;
  if (field === 'visibility') return value === 'leads' ? 'Shared with leads' : 'Only the people taking part';
  if (field === 'lesson_started_at') return value ? `Started ${formatTime(value)}` : 'Not started';
  return value;
}

/**
 * Who wrote the version shown now: in a pair, the one who did not write the set-aside ones.
 * @param {import('../db.js').Conflict[]} conflicts
 * @param {string} me
 * @param {string | null} partner
 * @param {(id: string) => string} first
 */
function shownVersion(conflicts, me, partner, first) {
  const allMine = conflicts.every((c) => c.author_id === me);
  const noneMine = conflicts.every((c) => c.author_id !== me);
  if (allMine && partner) return { label: `${partner}’s version`, keep: `Keep ${first(partner)}’s` };
  if (noneMine && partner) return { label: 'Your version', keep: 'Keep mine' };
  return { label: 'The version shown now', keep: 'Keep this one' };
}

/**
 * Conflicts at their fields: for each field with set-aside values, every version with who
 * wrote it, and whether a choice for it waits out its Undo.
 * @param {import('../db.js').StoredRecord} record
 * @param {Record<string, any>} obs
 * @param {string} me
 * @param {Map<string, string>} names
 * @returns {import('../views/conflict.js').FieldConflict[]}
 */
function fieldConflicts(record, obs, me, names) {
  /** @type {Map<string, import('../db.js').Conflict[]>} */
  const byField = new Map();
  for (const conflict of openConflicts(record)) {
    if (!(conflict.field in FIELD_LABELS) || typeof conflict.value !== 'string') continue;
    byField.set(conflict.field, [...(byField.get(conflict.field) || []), conflict]);
  }
  const others = (obs.participants || []).filter((/** @type {any} */ p) => p.user_id !== me);
  const partner = (obs.participants || []).length === 2 ? names.get(others[0]?.user_id) || null : null;
  const first = (/** @type {string} */ name) => name.split(' ')[0];
  return [...byField.entries()].map(([field, conflicts]) => {
    const now = String(obs[field] ?? '');
    const versions = [{ ...shownVersion(conflicts, me, partner, first), value: now, shown: shown(field, now) }];
    for (const c of conflicts) {
      if (versions.some((v) => v.value === c.value)) continue;
      const name = names.get(c.author_id) || 'Someone';
      versions.push(c.author_id === me
        ? { label: 'Your version', value: c.value, shown: shown(field, c.value), keep: 'Keep mine' }
        : { label: `${name}’s version`, value: c.value, shown: shown(field, c.value), keep: `Keep ${first(name)}’s` });
    }
    return {
      field, label: FIELD_LABELS[field], ids: conflicts.map((c) => c.id), versions,
      pending: waiting(resolveKey(record.id, field)) || null,
      combinable: CO_WRITTEN.has(field), draftKey: `observation/${record.id}/${field}/combined`,
    };
  }).filter((card) => card.versions.length > 1 || card.ids.length);
}

/** @param {string} id @param {string} field */
const resolveKey = (id, field) => `resolve/observation/${id}/${field}`;

/**
 * The notes in time order, each with who wrote it and whether it has been delivered.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../db.js').StoredRecord[]} noteRecords
 * @param {Map<string, string>} names
 * @param {Map<string, string>} lookforText
 */
function noteRows(ctx, noteRecords, names, lookforText) {
  const me = ctx.session.user.id;
  const stateOf = new Map(noteRecords.map((r) => [r.id, r]));
  return byTime(live(noteRecords).filter((n) => !beingDeleted(n.id))).map((n) => {
    const r = /** @type {import('../db.js').StoredRecord} */ (stateOf.get(n.id));
    const state = delivery(r, ctx.status.sending);
    const authorId = r.created_by || '';
    return {
      id: n.id, time: formatTime(n.at), minute: n.minute ?? null, authorId, mine: authorId === me,
      author: authorId === me ? 'You' : names.get(authorId) || 'Someone',
      category: n.category, categoryLabel: CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (n.category)] || n.category,
      text: n.text || '', casePupil: n.case_pupil || '', rating: n.lookfor_rating || null,
      lookfor: n.lookfor_id ? lookforText.get(n.lookfor_id) || 'A look-for' : null,
      delivery: state, deliveryLabel: DELIVERY[state], problem: r.problem ? r.problem.message : null,
      canEdit: can(r, 'edit', me), canDelete: can(r, 'delete', me),
    };
  });
}

/**
 * The summary at the top: kind, when, where, who, the focus and the question.
 * @param {Record<string, any>} obs
 * @param {string} me
 * @param {Map<string, string>} names
 * @param {Map<string, string>} focusTitles
 */
function reviewHeader(obs, me, names, focusTitles) {
  return {
    title: obs.title, kind: KINDS[/** @type {keyof typeof KINDS} */ (obs.kind)] || 'Observation', when: formatWhen(obs.starts_at),
    place: obs.kind === 'learning_walk' ? (obs.class_label ? `Route: ${obs.class_label}` : '') : [obs.class_label, obs.subject, obs.year_group].filter(Boolean).join(' · '),
    people: (obs.participants || []).map((/** @type {any} */ p) => ({ name: p.user_id === me ? 'You' : names.get(p.user_id) || 'Someone', role: ROLES[/** @type {keyof typeof ROLES} */ (p.role)] || p.role })),
    focus: (obs.focus_ids || []).map((/** @type {string} */ f) => focusTitles.get(f)).filter(Boolean).join(', ') || null,
    question: obs.focus_question || '', intention: obs.learning_intention || '',
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {string} id
 * @param {boolean} [quick] only the first notes (and their count)
 */
async function load(ctx, id, quick = false) {
  const me = ctx.session.user.id;
  const [record, parts, directory] = await Promise.all([readRecord('observation', id), readParts(id, quick), readEntities(['user', 'focus', 'lookfor'])]);
  if (!record) return null;
  const obs = current(record);
  const names = nameMap(directory.user);
  names.set(me, ctx.session.user.display_name);
  const lookforText = new Map(directory.lookfor.map((l) => [l.id, String(current(l).text)]));
  const focusTitles = new Map(directory.focus.map((f) => [f.id, String(current(f).title)]));
  const notes = withPhotos(noteRows(ctx, parts.notes, names, lookforText), await notePhotos(id, ctx.session.token)); // issue 16
  const authors = [...new Set(notes.map((n) => n.authorId))].map((a) => ({ id: a, name: a === me ? 'You' : names.get(a) || 'Someone' }));
  const present = new Set(notes.map((n) => n.category));
  const watched = observees(obs);
  const today = isoDay(new Date());
  const titles = new Map([[id, obs.title]]);
  const may = allowed(record, me);
  const stepEditable = new Map(parts.steps.map((s) => [s.id, can(s, 'edit', me)]));
  return {
    id, obs,
    view: {
      id, header: reviewHeader(obs, me, names, focusTitles),
      status: obs.status, statusLabel: STATUSES[/** @type {keyof typeof STATUSES} */ (obs.status)] || obs.status,
      conflicts: may.edit ? fieldConflicts(record, obs, me, names) : [],
      notes, authors, notesTotal: parts.complete ? notes.length : parts.total, complete: parts.complete,
      categories: Object.entries(CATEGORIES).filter(([value]) => present.has(value)).map(([value, label]) => ({ value, label })),
      fields: { strengths: obs.strengths || '', wonderings: obs.wonderings || '', reflection: obs.reflection || '' },
      canReflect: may.edit && watched.includes(me), may, isWalk: obs.kind === 'learning_walk',
      observeeName: watched.length ? watched.map((w) => (w === me ? 'You' : names.get(w) || 'The observed teacher')).join(' and ') : 'The observed teacher',
      steps: byDue(live(parts.steps)).map((s) => ({ ...stepItem(s, titles, today), editable: stepEditable.get(s.id) === true, context: `${s.owner_id === me ? 'Yours' : names.get(s.owner_id) || 'Someone'}${s.status === 'done' ? ' · done' : ''}` })),
      participants: (obs.participants || []).map((/** @type {any} */ p) => ({ id: p.user_id, name: p.user_id === me ? 'Me' : names.get(p.user_id) || 'Someone' })),
      isObservee: roleOf(obs, me) === 'observee',
      shared: obs.visibility === 'leads',
      walk: obs.kind === 'learning_walk' ? await walkSummary(id) : null,
      online: ctx.online, canCapture: obs.status !== 'reviewed' && may.add_notes,
      me, today,
    },
  };
}

/**
 * Typed fields, saved a moment after the last keystroke (or at once with `flush`); each save
 * ends the field's draft (drafts.js) and carries its co-written base.
 * @param {string} id the observation
 * @param {Review['put']} put
 */
function fieldSaver(id, put) {
  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  const timers = new Map();
  /** @type {Map<string, string>} */
  const queued = new Map();
  /** @param {string} name */
  const flush = async (name) => {
    clearTimeout(timers.get(name));
    timers.delete(name);
    if (!queued.has(name)) return;
    const value = /** @type {string} */ (queued.get(name));
    queued.delete(name);
    const base = await saved(`observation/${id}/${name}`, value);
    await put({ [name]: value }, [], base === null ? undefined : { [name]: base });
  };
  return {
    flush,
    /** @param {string} name @param {string} value */
    later(name, value) {
      queued.set(name, value);
      clearTimeout(timers.get(name));
      timers.set(name, setTimeout(() => flush(name), FIELD_DELAY_MS));
    },
    flushAll: () => Promise.all([...timers.keys()].map(flush)),
  };
}

/**
 * The screen while it is open.
 * @typedef {{
 *   id: string, obs: Record<string, any>, fields: ReturnType<typeof fieldSaver>, refresh: () => Promise<void>,
 *   put: (fields: Record<string, any>, resolves?: string[], bases?: Record<string, string>) => Promise<unknown>
 * }} Review
 */

/**
 * Add an agreed next step, naming the observation's focus where it may.
 * @param {Review} r
 * @param {{text: string, owner_id: string, due_on: string | null}} step
 */
async function addStep(r, step) {
  const focusId = (r.obs.focus_ids || [])[0] || null;
  await putRecord('next_step', newId(), { ...step, observation_id: r.id, status: 'open', ...(focusId ? await focusFor(focusId, step.owner_id) : {}) });
  await submitted([`review/${r.id}/new-step`]);
}

/**
 * Keep one version of a field (or a combined text), once its 10 seconds of Undo are over.
 * @param {import('../app.js').Ctx} ctx
 * @param {Review} r
 * @param {{field: string, value: string, ids: string[], label: string}} choice
 */
function resolve(ctx, r, { field, value, ids, label }) {
  const combinedKey = `observation/${r.id}/${field}/combined`;
  const commit = async () => {
    await r.fields.flush(field);
    const bases = basesOf(await submitted([combinedKey]), { [field]: combinedKey });
    await r.put({ [field]: value }, ids, Object.keys(bases).length ? bases : undefined);
    ctx.toast('Kept. Your partner sees the same text after their next sync.');
  };
  const what = FIELD_LABELS[field] || field;
  label = label.replace(/^(Your|The) /, (word) => word.toLowerCase());
  choose(resolveKey(r.id, field), `Keeping ${label} of “${what}”.`, commit, () => { r.refresh(); }, label);
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {Review} r
 * @returns {import('../views/review.js').ReviewActions}
 */
function reviewActions(ctx, r) {
  const { fields, put } = r;
  const told = async (/** @type {string} */ message) => {
    ctx.toast(message);
    await r.refresh();
  };
  return {
    onField: fields.later,
    async onFieldDone(name) {
      await fields.flush(name);
      await r.refresh();
    },
    onResolve: (field, value, ids, label) => resolve(ctx, r, { field, value, ids, label }),
    onOpenPhoto: (photoId) => openPhoto(photoId, ctx.session.token), // a note's photo, full size
    ...noteActions(ctx, r.refresh),
    async onShare(shared) {
      await put({ visibility: shared ? 'leads' : 'participants' });
      await told(shared ? 'Shared with leads.' : 'Only the people taking part can see this now.');
    },
    async onAddStep(step) {
      await addStep(r, step);
      await told('Next step added.');
    },
    async onStepDone(stepId, done) {
      await putRecord('next_step', stepId, { status: done ? 'done' : 'open' });
      await r.refresh();
    },
    async onMarkReviewed() {
      await fields.flushAll();
      await put({ status: 'reviewed' });
      await told('Marked as reviewed.');
    },
    async onDownload() {
      ctx.toast(await downloadReport(`/reports/observations/${r.id}.pdf`));
    },
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {{id: string}} params
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function reviewScreen(ctx, params) {
  const id = params.id;
  performance.mark('review-start');
  const loaded = await load(ctx, id, true);
  if (!loaded) return ctx.missing('This observation is not on this device. It may have been removed, or not synced yet.');
  /** @type {Review['put']} */
  const put = (fields, resolves = [], bases = undefined) => putRecord('observation', id, fields, bases ? { resolves, bases } : { resolves });
  /** @type {Review} */
  const r = {
    id, obs: loaded.obs, put, fields: fieldSaver(id, put),
    async refresh() {
      const next = await load(ctx, id);
      if (next) {
        r.obs = next.obs;
        view.update(next.view);
      }
    },
  };
  const view = mountReview(loaded.view, reviewActions(ctx, r));
  const photos = photoSection(ctx, id); // photos of pupils' work, full size on tap (screens/photos.js)
  view.node.append(photos.node, whoHasSeenThis(ctx, id)); // then the audit trail (screens/rights.js)
  performance.mark('review-ready');
  if (!loaded.view.complete) setTimeout(() => r.refresh(), 0); // the rest of the notes
  const stopLive = followChanges(ctx.session); // partners' notes as they are written (live.js)
  return {
    title: loaded.view.header.title,
    tab: 'review',
    back: '#/today',
    node: view.node,
    refresh: r.refresh,
    async leave() {
      stopLive();
      photos.stop();
      await r.fields.flushAll();
    },
  };
}

/**
 * A next step may name the observation's focus when it is a school focus or the owner's own.
 * @param {string} focusId
 * @param {string} ownerId
 */
async function focusFor(focusId, ownerId) {
  const focus = await readRecord('focus', focusId);
  if (!focus) return {};
  const fields = current(focus);
  return fields.kind === 'school' || fields.owner_id === ownerId ? { focus_id: focusId } : {};
}
