'use strict';
// Node's `require` entry: the portable loader, plus Node's own Web Crypto for Node 18, whose
// global `crypto` is missing unless flagged. Browsers and bundlers never load this file.
const api = require('./index.cjs');

if (typeof globalThis.crypto === 'undefined' || typeof globalThis.crypto.getRandomValues !== 'function') {
  api.__setRandomSource(require('node:crypto').webcrypto);
}
module.exports = api;
