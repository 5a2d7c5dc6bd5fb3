// @ts-check
/**
 * The Capture screen's data and actions. The text box is a draft (drafts.js, key
 * `capture/<observation id>`), kept as it is typed; the kind of note, pupil, clock and visit are
 * the observation's capture state in IndexedDB. Saving a note writes the note, its outbox entry,
 * the capture state and forgets the typed words in one transaction.
 */

import { readChildren, readDraft, readEntities, readRecord, writeDraft } from '../db.js';
import { draftText, submitted } from '../drafts.js';
import { CATEGORIES, DELIVERY, current, delivery, newId } from '../model.js';
import { putRecord, saveNote } from '../outbox.js';
import { mountCapture } from '../views/capture.js';
import { beingDeleted, noteActions } from './note-actions.js';
import { photoSection } from './photos.js';
import { notePhotos, openPhoto, withPhotos } from './note-photos.js';
import { h } from '../dom.js';
import { followChanges } from '../live.js';
import { clockStart, mayMoveClock, minuteAt, restart, setStart, startAtTime, startIfNeeded, startMinutesAgo } from '../lesson-clock.js';
import { nameMap } from './common.js';
import { myPhrases, quickPhrases, refreshPhrases } from '../quick-notes.js';
import { can } from '../can.js';
import { walkCapture } from './walk.js';

const DRAFT_DELAY_MS = 300;
const NOTE_CATEGORIES = ['evidence', 'pupils', 'strength', 'wondering', 'next_step'];

/**
 * @param {string} observationId
 */
async function loadDraft(observationId) {
  return (await readDraft(observationId)) || {
    observation_id: observationId, category: 'evidence', case_pupil: '', clockStartedAt: null, visit: 1,
  };
}

/**
 * What the screen shows that does not change while it is open.
 * @param {import('../db.js').StoredRecord} record the observation
 * @param {import('../db.js').StoredRecord[]} lookfor every look-for
 * @param {import('../db.js').StoredRecord[]} focus every focus
 */
function captureSetup(record, lookfor, focus) {
  const obs = current(record);
  const isWalk = obs.kind === 'learning_walk';
  const isStudy = obs.kind === 'lesson_study';
  const categories = [...NOTE_CATEGORIES, ...(isStudy ? ['prediction'] : [])]
    .filter((c) => !isWalk || c !== 'next_step')
    .map((value) => ({ value, label: CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (value)] }));
  const lookfors = lookfor.map(current).filter((l) => !l.deleted && l.active !== false && (obs.focus_ids || []).includes(l.focus_id));
  const lookforText = new Map(lookfor.map((l) => [l.id, String(current(l).text)]));
  const focusTitles = focus.map(current).filter((f) => !f.deleted && (obs.focus_ids || []).includes(f.id)).map((f) => String(f.title || ''));
  return { obs, isWalk, isStudy, categories, lookfors, lookforText, focusTitles };
}

/**
 * The screen while it is open: its observation, the draft, and how to redraw.
 * @typedef {{
 *   ctx: import('../app.js').Ctx, id: string, me: string, draft: any, setup: ReturnType<typeof captureSetup>,
 *   keeper: ReturnType<typeof draftKeeper>, refresh: () => Promise<void>, obs: Record<string, any>,
 *   canMoveClock: boolean, phrases: string[]
 * }} Capture
 */

/**
 * Keeps the draft in IndexedDB: `later()` after a pause in typing, `now()` at once.
 * @param {any} draft
 * @param {() => void} saved called after each write
 */
function draftKeeper(draft, saved) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let dirty = false;
  async function writeNow() {
    clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    await writeDraft({ ...draft });
    saved();
  }
  return {
    writeNow,
    later() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(writeNow, DRAFT_DELAY_MS);
    },
    now() {
      dirty = true;
      return writeNow();
    },
    /** The draft goes with a note, in the note's transaction: nothing to write on its own. */
    drop() {
      clearTimeout(timer);
      dirty = false;
    },
    /** The note was not saved: its words are the draft's again, still to be written. */
    keep() {
      dirty = true;
    },
  };
}

/**
 * The minute of the lesson now, by the observation's one clock (lesson-clock.js).
 * @param {Capture} c
 */
function lessonMinute(c) {
  return minuteAt(clockStart(c.id, c.obs));
}

/**
 * A note as the list shows it: mine with its delivery, a partner's with who wrote it.
 * @param {Capture} c
 * @param {import('../db.js').StoredRecord} r
 * @param {Record<string, any>} note
 * @param {Map<string, string>} names
 */
function noteView(c, r, note, names) {
  const state = delivery(r, c.ctx.status.sending);
  const mine = r.created_by === c.me;
  return {
    mine, author: mine ? 'You' : names.get(r.created_by || '') || 'Someone',
    id: note.id, minute: note.minute ?? null, category: note.category,
    categoryLabel: CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (note.category)] || note.category,
    text: note.text || '', casePupil: note.case_pupil || '', rating: note.lookfor_rating || null,
    lookfor: note.lookfor_id ? c.setup.lookforText.get(note.lookfor_id) || 'A look-for' : null,
    delivery: state, deliveryLabel: DELIVERY[state], problem: r.problem ? r.problem.message : null,
    canEdit: can(r, 'edit', c.me), canDelete: can(r, 'delete', c.me),
  };
}

/**
 * The screen's data now: the draft, everyone's notes newest first (or only mine), this visit's
 * ratings (mine), and the lesson clock.
 * @param {Capture} c
 */
async function captureData(c) {
  const { draft, setup } = c;
  const [children, record, { user }] = await Promise.all([readChildren(c.id), readRecord('observation', c.id), readEntities(['user'])]);
  if (record) c.obs = current(record);
  const names = nameMap(user);
  const when = (/** @type {any} */ n) => Date.parse(n.at) || 0;
  const all = children.filter((r) => r.entity === 'note')
    .map((r) => ({ record: r, note: current(r) })).filter(({ note }) => !note.deleted && !beingDeleted(note.id))
    .sort((a, b) => when(b.note) - when(a.note) || (a.note.id < b.note.id ? 1 : -1));
  const mineOnly = all.filter(({ record: r }) => r.created_by === c.me);
  const notes = draft.onlyMine ? mineOnly : all;
  const visitTag = `visit-${draft.visit}`;
  const ratings = new Map(mineOnly.filter(({ note }) => note.category === 'lookfor' && (note.tags || []).includes(visitTag))
    .map(({ note }) => [note.lookfor_id, note]));
  return {
    title: setup.obs.title, isWalk: setup.isWalk, isStudy: setup.isStudy, categories: setup.categories, category: draft.category,
    casePupils: setup.obs.case_pupils || [], casePupil: draft.case_pupil || '', text: draftText(`capture/${c.id}`) ?? '',
    draftKey: `capture/${c.id}`,
    clockStartedAt: clockStart(c.id, c.obs), canMoveClock: c.canMoveClock, visit: draft.visit,
    phrases: quickPhrases({ focusTitles: setup.focusTitles, focusQuestion: c.obs.focus_question || '', lookfors: setup.lookfors.map((l) => String(l.text)), mine: c.phrases }),
    onlyMine: Boolean(draft.onlyMine), partners: (c.obs.participants || []).some((/** @type {any} */ p) => p.user_id !== c.me),
    lookfors: setup.lookfors.map((l) => ({ id: l.id, text: l.text, rating: ratings.get(l.id)?.lookfor_rating ?? null })),
    notes: withPhotos(notes.map(({ record: r, note }) => noteView(c, r, note, names)), await notePhotos(c.id, c.ctx.session.token)), // issue 16
    ratingsByLookfor: ratings,
  };
}

/**
 * Save the typed words as a note, with the emptied draft; on failure they stay in the box.
 * @param {Capture} c
 * @param {string} text
 */
async function saveTyped(c, text) {
  const { draft } = c;
  performance.mark('note-save-start');
  c.keeper.drop();
  const fields = {
    observation_id: c.id, at: new Date().toISOString(), minute: lessonMinute(c), category: draft.category,
    text, case_pupil: draft.case_pupil || '', tags: c.setup.isWalk ? [`visit-${draft.visit}`] : [],
  };
  const key = `capture/${c.id}`;
  await submitted([key], { inTransaction: true });
  try {
    await saveNote(newId(), fields, { ...draft }, key);
  } catch (error) {
    c.ctx.toast(`Your note could not be saved: ${error instanceof Error ? error.message : error}. It is still in the box.`, { tone: 'error' });
    c.keeper.keep();
    return false;
  }
  performance.mark('note-saved');
  c.refresh().catch((error) => console.error('Lesson Loop:', error));
  return true;
}

/**
 * The note that holds photos taken now (screens/photos.js): at this minute, in this visit.
 * @param {Capture} c
 * @param {string} caption
 */
function photoNote(c, caption) {
  const { draft } = c;
  return {
    observation_id: c.id, at: new Date().toISOString(), minute: lessonMinute(c), category: 'evidence',
    text: caption || 'A photo of pupils’ work', case_pupil: draft.case_pupil || '', tags: c.setup.isWalk ? [`visit-${draft.visit}`] : [],
  };
}

/**
 * Tick a look-for for this visit (changing the tick already given, if any).
 * @param {Capture} c
 * @param {string} lookforId
 * @param {string} rating
 */
async function rate(c, lookforId, rating) {
  const existing = (await captureData(c)).ratingsByLookfor.get(lookforId);
  if (existing) await putRecord('note', existing.id, { lookfor_rating: rating });
  else {
    await putRecord('note', newId(), {
      observation_id: c.id, at: new Date().toISOString(), minute: lessonMinute(c), category: 'lookfor', text: '',
      lookfor_id: lookforId, lookfor_rating: rating, tags: [`visit-${c.draft.visit}`],
    });
  }
  await c.refresh();
}

/**
 * @param {Capture} c
 * @returns {import('../views/capture.js').CaptureActions}
 */
function captureActions(c) {
  const { draft, keeper } = c;
  return {
    ...noteActions(c.ctx, c.refresh),
    async onCategory(value) {
      draft.category = value;
      await keeper.now();
    },
    async onCasePupil(value) {
      draft.case_pupil = value;
      await keeper.now();
    },
    onSave: (text) => saveTyped(c, text),
    onOpenPhoto: (id) => openPhoto(id, c.ctx.session.token), // a note's photo, full size (issue 16)
    onRate: (lookforId, rating) => rate(c, lookforId, rating),
    onRestart: () => restart(c.id, () => { c.refresh(); }),
    async onAdjust(how) {
      const startedAt = how.at !== undefined ? startAtTime(how.at) : startMinutesAgo(Number(how.minutesAgo));
      if (startedAt === null) return void c.ctx.toast('Give the minutes (0 to 1440) or a time such as 09:05.', { tone: 'error' });
      await setStart(c.id, startedAt);
      await c.refresh();
    },
    async onOnlyMine(onlyMine) {
      draft.onlyMine = onlyMine;
      await keeper.now();
      await c.refresh();
    },
    async onNextVisit() {
      draft.visit += 1;
      await keeper.now();
      await c.refresh();
      c.ctx.toast(`Classroom ${draft.visit}: ticks and notes now count for this visit.`);
    },
  };
}

/**
 * Done: the words typed so far are kept, a draft observation becomes captured, on to Review.
 * @param {Capture} c
 */
function doneButton(c) {
  return h('button', {
    type: 'button', class: 'button small bar-action',
    onclick: async () => {
      await c.keeper.writeNow();
      const latest = await readRecord('observation', c.id);
      const status = latest ? current(latest).status : 'draft';
      if (!status || status === 'draft') await putRecord('observation', c.id, { status: 'captured' });
      c.ctx.navigate(`#/review/${c.id}`);
    },
  }, 'Done');
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {{id: string}} params
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function captureScreen(ctx, params) {
  const id = params.id;
  const [record, draft, { lookfor, focus }, phrases] = await Promise.all([readRecord('observation', id), loadDraft(id), readEntities(['lookfor', 'focus']), myPhrases()]);
  if (!record) return ctx.missing('This observation is not on this device. It may have been removed, or not synced yet.');
  const me = ctx.session.user.id;
  if (!can(record, 'add_notes', me)) return readOnlyCapture(ctx, id); // the server's `can` (js/can.js)
  if (current(record).kind === 'learning_walk') return walkScreen(ctx, record, draft); // classroom by classroom
  // The lesson clock starts when Capture first opens on any phone (a clock this phone kept
  // before the clock was synced carries over).
  await startIfNeeded(record, me, draft.clockStartedAt);
  const setup = captureSetup(record, lookfor, focus);
  /** @type {Capture} */
  const c = {
    ctx, id, me, draft, setup, obs: setup.obs, canMoveClock: mayMoveClock(record, me), phrases,
    keeper: draftKeeper(draft, () => view.draftSaved()),
    refresh: async () => view.update(await captureData(c)),
  };
  const view = mountCapture(await captureData(c), captureActions(c));
  const photos = photoSection(ctx, id, { noteFields: (caption) => photoNote(c, caption), onSaved: c.refresh }); // issue 16
  view.node.append(photos.node);
  const { writeNow } = c.keeper;
  // Closing or hiding the app keeps the words typed so far, at once.
  const hide = () => { if (document.visibilityState === 'hidden') writeNow(); };
  window.addEventListener('pagehide', writeNow);
  document.addEventListener('visibilitychange', hide);
  const stopLive = followChanges(ctx.session); // partners' notes as they are written (live.js)
  if (ctx.online) refreshPhrases(ctx.session).then((mine) => { c.phrases = mine; return c.refresh(); }).catch(() => undefined);
  return {
    title: setup.obs.title, tab: 'capture', back: '#/today', hideTabs: true,
    action: doneButton(c), node: view.node, focus: view.focus, refresh: c.refresh,
    async leave() {
      window.removeEventListener('pagehide', writeNow);
      document.removeEventListener('visibilitychange', hide);
      stopLive();
      view.stop();
      photos.stop();
      await writeNow();
    },
    /** Whether words are in the box (an update waits until they are saved as a note). */
    busy: () => Boolean(view.currentText().trim()),
  };
}

/**
 * Capture for someone the server does not let add notes here: a sentence and the way to Review.
 * @param {import('../app.js').Ctx} ctx
 * @param {string} id
 * @returns {import('../app.js').Screen}
 */
function readOnlyCapture(ctx, id) {
  const screen = ctx.missing('Only the people taking part add notes to this observation. You can read it on its review.');
  const link = screen.node.querySelector('a');
  if (link) {
    link.setAttribute('href', `#/review/${encodeURIComponent(id)}`);
    link.textContent = 'Read the review';
  }
  return { ...screen, title: 'Notes', back: '#/today' };
}

/**
 * A learning walk's capture (screens/walk.js), with the same Done button.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../db.js').StoredRecord} record
 * @param {any} draft
 * @returns {Promise<import('../app.js').Screen>}
 */
async function walkScreen(ctx, record, draft) {
  const walk = await walkCapture(ctx, record, draft);
  const done = doneButton(/** @type {Capture} */ (/** @type {unknown} */ ({ ctx, id: record.id, keeper: { writeNow: async () => undefined } })));
  return {
    title: walk.title, tab: 'capture', back: '#/today', hideTabs: true, action: done,
    node: walk.node, focus: walk.focus, refresh: walk.refresh, busy: () => Boolean(walk.currentText().trim()),
  };
}
