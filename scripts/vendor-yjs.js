// The part of Yjs the PWA uses (pwa/js/cotext.js), bundled by `make vendor` into pwa/vendor/yjs.js.
export { Doc, applyUpdate, encodeStateAsUpdate, encodeStateVector, mergeUpdates } from 'yjs';
