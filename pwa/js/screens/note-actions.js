// @ts-check
/** Changing and deleting one's own notes (capture and review): through the outbox, offline too. */

import { deleteRecord, putRecord } from '../outbox.js';
import { choose, waiting } from '../undo.js';

/** @param {string} id */
const deleteKey = (id) => `delete/note/${id}`;

/**
 * Whether the note is deleted but can still be brought back (so the lists leave it out).
 * @param {string} id
 */
export function beingDeleted(id) {
  return Boolean(waiting(deleteKey(id)));
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {() => Promise<void>} refresh redraws the screen
 * @returns {import('../views/note-edit.js').NoteEditActions}
 */
export function noteActions(ctx, refresh) {
  return {
    async onSaveNote(id, changes) {
      await putRecord('note', id, changes);
      ctx.toast('Note changed.');
      await refresh();
    },
    onDeleteNote(id) {
      choose(deleteKey(id), 'Note deleted.', () => deleteRecord('note', id), () => { refresh(); });
    },
  };
}
