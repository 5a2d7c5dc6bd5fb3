// Rebuild this device's database as version 1 had it (its records and session kept), with the
// words of a capture box in the capture state, as version 1 stored them (test_drafts.py).
(async ({observationId, text}) => {
  const done = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const now = await done(indexedDB.open('lessonloop'));
  const read = (name) => { const store = now.transaction(name).objectStore(name); return Promise.all([done(store.getAllKeys()), done(store.getAll())]); };
  const [meta, records] = [await read('meta'), await read('records')];
  now.close();
  await done(indexedDB.deleteDatabase('lessonloop'));
  const opening = indexedDB.open('lessonloop', 1);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    db.createObjectStore('meta');
    const store = db.createObjectStore('records', { keyPath: ['entity', 'id'] });
    store.createIndex('entity', 'entity'); store.createIndex('parent', 'parent'); store.createIndex('timeline', ['parent', 'at']);
    db.createObjectStore('outbox', { keyPath: 'seq' }).createIndex('record', ['entity', 'id']);
    db.createObjectStore('rejected', { autoIncrement: true });
    db.createObjectStore('drafts', { keyPath: 'observation_id' });
  };
  const old = await done(opening);
  const tx = old.transaction(['meta', 'records', 'drafts'], 'readwrite');
  meta[0].forEach((key, i) => tx.objectStore('meta').put(meta[1][i], key));
  records[1].forEach((record) => tx.objectStore('records').put(record));
  tx.objectStore('drafts').put({ observation_id: observationId, text, category: 'pupils', case_pupil: '', clockStartedAt: Date.now(), visit: 1 });
  await new Promise((ok) => { tx.oncomplete = ok; });
  old.close();
})
