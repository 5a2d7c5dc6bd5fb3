// The part of tus-js-client the PWA uses (pwa/js/photos.js), bundled by `make vendor` into pwa/vendor/tus.js.
export { Upload } from 'tus-js-client';
