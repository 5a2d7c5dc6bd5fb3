// @ts-check
/** The Settings screen's data and actions. */

import { readMeta, readRecord, readRejected } from '../db.js';
import { KINDS, current } from '../model.js';
import { discardRejected, retryRejected } from '../outbox.js';
import { requestPersistence, signOut, storageReport } from '../session.js';
import { syncNow } from '../sync.js';
import { appVersion, applyUpdate, isWaiting } from '../updates.js';
import { renderSettings } from '../views/settings.js';

const ENTITY_WORDS = /** @type {Record<string, string>} */ ({
  note: 'A note', observation: 'An observation', next_step: 'A next step', focus: 'A focus', lookfor: 'A look-for',
});

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function load(ctx) {
  const [rejected, storage, lastSyncedAt] = await Promise.all([readRejected(), storageReport(), readMeta('lastSyncedAt')]);
  const attention = [];
  for (const item of rejected) {
    const fields = item.entry.fields || {};
    let what = ENTITY_WORDS[item.entry.entity] || 'A change';
    if (item.entry.entity === 'observation' && fields.kind) what = `${what} (${KINDS[/** @type {keyof typeof KINDS} */ (fields.kind)]})`;
    if (item.entry.entity === 'note' && fields.observation_id) {
      const parent = await readRecord('observation', fields.observation_id);
      if (parent) what = `A note in ${current(parent).title}`;
    }
    const text = fields.text || fields.title || fields.strengths || fields.reflection || fields.wonderings || '';
    attention.push({ key: item.key, what, text: String(text), error: item.error.message });
  }
  const user = ctx.session.user;
  return {
    user: { name: user.display_name, email: user.email, role: user.role },
    pending: ctx.status.pending, attention, lastSyncedAt: lastSyncedAt || null, storage,
    version: appVersion(), updateWaiting: isWaiting(), online: ctx.online, now: Date.now(),
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function settingsScreen(ctx) {
  /** @type {import('../views/settings.js').SettingsActions} */
  const actions = {
    onSyncNow: () => { syncNow(); },
    onRetry: async (key) => { await retryRejected(key); await screen.refresh(); },
    onDiscard: async (key) => {
      if (!window.confirm('Let this change go? Its words will be removed from this device.')) return;
      await discardRejected(key);
      await screen.refresh();
    },
    onPersist: async () => {
      const granted = await requestPersistence();
      ctx.toast(granted ? 'The browser will keep Lesson Loop’s data safe.' : 'The browser did not promise. Installing the app to your home screen usually helps.');
      await screen.refresh();
    },
    onUpdate: () => applyUpdate(),
    onSignOut: async () => {
      const pending = ctx.status.pending;
      const question = pending
        ? `${pending} unsent ${pending === 1 ? 'change' : 'changes'} will be lost. Sign out anyway?`
        : 'Sign out of Lesson Loop on this device?';
      if (!window.confirm(question)) return;
      await signOut();
      ctx.signedOut();
    },
  };
  const screen = {
    title: 'Settings',
    tab: 'settings',
    node: renderSettings(await load(ctx), actions),
    async refresh() {
      const fresh = renderSettings(await load(ctx), actions);
      screen.node.replaceWith(fresh);
      screen.node = fresh;
    },
  };
  return screen;
}
