// @ts-check
/** The New observation screen: the school directory and focuses in, an observation out. */

import { draftsUnder, submitted } from '../drafts.js';
import { isoDay, newId } from '../model.js';
import { putRecord } from '../outbox.js';
import { renderObservationForm } from '../views/observation-form.js';
import { live, readAll } from './common.js';

/** The start a new observation suggests: now (to the minute), as a datetime-local value. */
function thisMinute() {
  const date = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${isoDay(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function newObservationScreen(ctx) {
  const me = ctx.session.user;
  const all = await readAll();
  const people = all.user.filter((u) => u.id !== me.id && u.fields.active !== false)
    .map((u) => ({ id: u.id, name: String(u.fields.display_name), detail: u.fields.role === 'teacher' ? 'Teacher' : 'Lead' }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const focuses = live(all.focus).filter((f) => f.active !== false);
  const node = renderObservationForm({
    me: { id: me.id, name: me.display_name, detail: '' },
    people,
    schoolFocuses: focuses.filter((f) => f.kind === 'school').map((f) => ({ id: f.id, title: f.title })),
    myFocuses: focuses.filter((f) => f.kind === 'personal' && f.owner_id === me.id).map((f) => ({ id: f.id, title: f.title })),
    startsAt: thisMinute(),
  }, {
    async onCreate(fields, startNow) {
      const id = newId();
      // Capturing straight away: the lesson is on now, so it shows under "In progress".
      if (startNow && Date.parse(fields.starts_at) > Date.now()) fields.starts_at = new Date().toISOString();
      try {
        await putRecord('observation', id, fields);
      } catch (error) {
        return `This could not be saved on this device: ${error instanceof Error ? error.message : error}`;
      }
      await submitted(draftsUnder('new-observation/', { all: true }));
      ctx.toast('Observation saved.');
      ctx.navigate(startNow ? `#/capture/${id}` : '#/today');
      return null;
    },
  });
  // A half-filled form is never reloaded away by an automatic update.
  return { title: 'New observation', tab: 'new', back: '#/today', node, busy: () => true };
}
