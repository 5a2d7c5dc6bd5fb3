// @ts-check
/**
 * The Capture screen's data and actions. The text box is written to IndexedDB (as the
 * observation's draft) at most 300 ms after the last keystroke, and at once when the page is
 * hidden or left, so closing the app mid-sentence loses nothing. Saving a note writes the
 * note, its outbox entry and the emptied draft in one transaction.
 */

import { readChildren, readDraft, readEntities, readRecord, writeDraft } from '../db.js';
import { CATEGORIES, DELIVERY, current, delivery, newId } from '../model.js';
import { putRecord, saveNote } from '../outbox.js';
import { mountCapture } from '../views/capture.js';
import { h } from '../dom.js';

const DRAFT_DELAY_MS = 300;
const NOTE_CATEGORIES = ['evidence', 'pupils', 'strength', 'wondering', 'next_step'];

/**
 * @param {string} observationId
 */
async function loadDraft(observationId) {
  return (await readDraft(observationId)) || {
    observation_id: observationId, text: '', category: 'evidence', case_pupil: '', clockStartedAt: null, visit: 1,
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {{id: string}} params
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function captureScreen(ctx, params) {
  const id = params.id;
  const me = ctx.session.user.id;
  const [record, draft, { lookfor }] = await Promise.all([readRecord('observation', id), loadDraft(id), readEntities(['lookfor'])]);
  if (!record) return ctx.missing('This observation is not on this device. It may have been removed, or not synced yet.');
  if (!draft.clockStartedAt) {
    draft.clockStartedAt = Date.now(); // the lesson clock starts when capture first opens
    await writeDraft(draft);
  }
  const obs = current(record);
  const isWalk = obs.kind === 'learning_walk';
  const isStudy = obs.kind === 'lesson_study';
  const categories = [...NOTE_CATEGORIES, ...(isStudy ? ['prediction'] : [])]
    .filter((c) => !isWalk || c !== 'next_step')
    .map((value) => ({ value, label: CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (value)] }));
  const lookfors = lookfor.map(current).filter((l) => !l.deleted && l.active !== false && (obs.focus_ids || []).includes(l.focus_id));
  const lookforText = new Map(lookfor.map((l) => [l.id, String(current(l).text)]));

  async function data() {
    const children = await readChildren(id);
    const notes = children.filter((r) => r.entity === 'note' && r.created_by === me)
      .map((r) => ({ record: r, note: current(r) })).filter(({ note }) => !note.deleted)
      .sort((a, b) => (a.note.at > b.note.at ? -1 : a.note.at < b.note.at ? 1 : 0));
    const visitTag = `visit-${draft.visit}`;
    const ratings = new Map(notes.filter(({ note }) => note.category === 'lookfor' && (note.tags || []).includes(visitTag))
      .map(({ note }) => [note.lookfor_id, note]));
    return {
      title: obs.title, isWalk, isStudy, categories, category: draft.category,
      casePupils: obs.case_pupils || [], casePupil: draft.case_pupil || '', text: draft.text,
      clockStartedAt: draft.clockStartedAt, visit: draft.visit,
      lookfors: lookfors.map((l) => ({ id: l.id, text: l.text, rating: ratings.get(l.id)?.lookfor_rating ?? null })),
      notes: notes.map(({ record: r, note }) => {
        const state = delivery(r, ctx.status.sending);
        return {
          id: note.id, minute: note.minute ?? null, category: note.category,
          categoryLabel: CATEGORIES[/** @type {keyof typeof CATEGORIES} */ (note.category)] || note.category,
          text: note.text || '', casePupil: note.case_pupil || '', rating: note.lookfor_rating || null,
          lookfor: note.lookfor_id ? lookforText.get(note.lookfor_id) || 'A look-for' : null,
          delivery: state, deliveryLabel: DELIVERY[state], problem: r.problem ? r.problem.message : null,
        };
      }),
      ratingsByLookfor: ratings,
    };
  }

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let dirty = false;
  async function writeNow() {
    clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    await writeDraft({ ...draft });
    view.draftSaved();
  }
  const minute = () => (draft.clockStartedAt ? Math.max(0, Math.floor((Date.now() - draft.clockStartedAt) / 60_000)) : null);
  const refresh = async () => view.update(await data());

  const view = mountCapture(await data(), {
    onInput(text) {
      draft.text = text;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(writeNow, DRAFT_DELAY_MS);
    },
    async onCategory(value) {
      draft.category = value;
      dirty = true;
      await writeNow();
    },
    async onCasePupil(value) {
      draft.case_pupil = value;
      dirty = true;
      await writeNow();
    },
    async onSave(text) {
      performance.mark('note-save-start');
      clearTimeout(timer);
      dirty = false;
      const fields = {
        observation_id: id, at: new Date().toISOString(), minute: minute(), category: draft.category,
        text, case_pupil: draft.case_pupil || '', tags: isWalk ? [`visit-${draft.visit}`] : [],
      };
      draft.text = '';
      try {
        await saveNote(newId(), fields, { ...draft });
      } catch (error) {
        draft.text = text;
        ctx.toast(`Your note could not be saved: ${error instanceof Error ? error.message : error}. It is still in the box.`, { tone: 'error' });
        dirty = true;
        return false;
      }
      performance.mark('note-saved');
      refresh().catch((error) => console.error('Lesson Loop:', error));
      return true;
    },
    async onRate(lookforId, rating) {
      const existing = (await data()).ratingsByLookfor.get(lookforId);
      if (existing) await putRecord('note', existing.id, { lookfor_rating: rating });
      else {
        await putRecord('note', newId(), {
          observation_id: id, at: new Date().toISOString(), minute: minute(), category: 'lookfor', text: '',
          lookfor_id: lookforId, lookfor_rating: rating, tags: [`visit-${draft.visit}`],
        });
      }
      await refresh();
    },
    async onRestartClock() {
      draft.clockStartedAt = Date.now();
      dirty = true;
      await writeNow();
      await refresh();
    },
    async onNextVisit() {
      draft.visit += 1;
      dirty = true;
      await writeNow();
      await refresh();
      ctx.toast(`Classroom ${draft.visit}: ticks and notes now count for this visit.`);
    },
  });

  // Closing or hiding the app keeps the words typed so far, at once.
  const hide = () => { if (document.visibilityState === 'hidden') writeNow(); };
  window.addEventListener('pagehide', writeNow);
  document.addEventListener('visibilitychange', hide);

  const done = h('button', {
    type: 'button', class: 'button small bar-action',
    onclick: async () => {
      await writeNow();
      const latest = await readRecord('observation', id);
      const status = latest ? current(latest).status : 'draft';
      if (!status || status === 'draft') await putRecord('observation', id, { status: 'captured' });
      ctx.navigate(`#/review/${id}`);
    },
  }, 'Done');
  return {
    title: obs.title,
    tab: 'capture',
    back: '#/today',
    hideTabs: true,
    action: done,
    node: view.node,
    focus: view.focus,
    refresh,
    async leave() {
      window.removeEventListener('pagehide', writeNow);
      document.removeEventListener('visibilitychange', hide);
      view.stop();
      await writeNow();
    },
    /** Whether words are in the box (an update waits until they are saved as a note). */
    busy: () => Boolean(view.currentText().trim()),
  };
}
