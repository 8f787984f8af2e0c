'use strict';
// Node's `require` entry: the portable loader, with Node's own crypto where it is faster.
// Browsers and bundlers never load this file.
//
// `sign`, `signRequest` and `verifyWebhook` run on node:crypto (OpenSSL) when every argument is one the
// module would accept as it is; anything else (a wrong type, a rule broken, an unusual spelling)
// goes to the WebAssembly module, which gives the result or throws the BinancePayError. So both
// paths give the same results and the same errors for the same inputs
// (test/paths.test.mjs compares them on every vector and on random input).
const wasm = require('./index.cjs');
const nodeCrypto = require('node:crypto');

if (typeof globalThis.crypto === 'undefined' || typeof globalThis.crypto.getRandomValues !== 'function') {
  wasm.__setRandomSource(nodeCrypto.webcrypto);
}

// Timestamps the module accepts: epoch milliseconds in [10^11, 10^14).
const MIN_MS = 100000000000;
const MAX_MS = 100000000000000;
const DIGITS = /^[0-9]{1,20}$/;
const REQUEST_NONCE = /^[A-Za-z0-9]{32}$/;
const WEBHOOK_NONCE = /^[A-Za-z0-9]{1,128}$/;

// The canonical decimal text of a timestamp the module accepts (what it signs), else null.
function canonicalMillis(value) {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= MIN_MS && value < MAX_MS ? String(value) : null;
  }
  if (typeof value === 'string') {
    if (!DIGITS.test(value)) return null;
    const n = Number(value);
    return n >= MIN_MS && n < MAX_MS ? String(n) : null;
  }
  if (typeof value === 'bigint') {
    return value >= MIN_MS && value < MAX_MS ? String(value) : null;
  }
  return null;
}

function isBody(body) {
  return typeof body === 'string' || body instanceof Uint8Array;
}

function sign(secret, timestamp, nonce, body) {
  const ts = typeof secret === 'string' && secret.length > 0 && isBody(body) &&
    typeof nonce === 'string' && REQUEST_NONCE.test(nonce) ? canonicalMillis(timestamp) : null;
  if (ts === null) return wasm.sign(secret, timestamp, nonce, body);
  const hmac = nodeCrypto.createHmac('sha512', secret);
  if (typeof body === 'string') {
    hmac.update(`${ts}\n${nonce}\n${body}\n`);
  } else {
    hmac.update(`${ts}\n${nonce}\n`).update(body).update('\n');
  }
  return hmac.digest('hex').toUpperCase();
}

const API_KEY = /^[A-Za-z0-9]{1,128}$/;

function signRequest(apiKey, secret, body, options) {
  if (typeof apiKey === 'string' && API_KEY.test(apiKey) && typeof secret === 'string' && secret.length > 0 &&
    isBody(body) && (options === undefined || options === null || typeof options === 'object')) {
    let timestamp;
    let nonceOption;
    try {
      timestamp = options === undefined || options === null ? undefined : options.timestamp;
      nonceOption = options === undefined || options === null ? undefined : options.nonce;
    } catch {
      // A getter that throws: the module reads such an option as absent.
      return wasm.signRequest(apiKey, secret, body, options);
    }
    const ts = timestamp === undefined || timestamp === null ? String(Date.now()) : canonicalMillis(timestamp);
    const nonce = nonceOption === undefined || nonceOption === null
      ? (ts === null ? null : wasm.newNonce())
      : (typeof nonceOption === 'string' && REQUEST_NONCE.test(nonceOption) ? nonceOption : null);
    if (ts !== null && nonce !== null) {
      return {
        'BinancePay-Timestamp': ts,
        'BinancePay-Nonce': nonce,
        'BinancePay-Certificate-SN': apiKey,
        'BinancePay-Signature': sign(secret, ts, nonce, body),
      };
    }
  }
  return wasm.signRequest(apiKey, secret, body, options);
}

// Keys the module accepted, by PEM text: the KeyObject and the signature length in bytes, or
// null when node:crypto cannot read a PEM the module can (the module then verifies). A few
// entries: during a certificate replacement webhooks arrive under two keys.
const KEY_CACHE_SIZE = 4;
const keys = new Map();

function rememberKey(pem) {
  let entry = null;
  try {
    const key = nodeCrypto.createPublicKey(pem);
    const bits = key.asymmetricKeyDetails && key.asymmetricKeyDetails.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && bits) entry = { key, bytes: Math.ceil(bits / 8) };
  } catch {
    entry = null;
  }
  if (keys.size >= KEY_CACHE_SIZE) keys.delete(keys.keys().next().value);
  keys.set(pem, entry);
}

// `maxAgeSeconds` and `nowMs` as the module reads them: [window ms or null, now ms or null];
// undefined when the module must judge the options.
function freshnessOptions(options) {
  if (options === undefined || options === null) return [null, null];
  if (typeof options !== 'object') return undefined;
  const maxAge = options.maxAgeSeconds;
  const now = options.nowMs;
  let window = null;
  if (maxAge !== undefined && maxAge !== null) {
    if (typeof maxAge !== 'number' || !(maxAge >= 0)) return undefined;
    window = Math.round(maxAge * 1000);
  }
  let nowMs = null;
  if (now !== undefined && now !== null) {
    const text = canonicalMillis(now);
    if (text === null) return undefined;
    nowMs = Number(text);
  }
  return [window, nowMs];
}

function verifyWebhook(publicKeyPem, timestamp, nonce, body, signatureBase64, options) {
  const slow = () => wasm.verifyWebhook(publicKeyPem, timestamp, nonce, body, signatureBase64, options);
  if (typeof publicKeyPem !== 'string' || typeof signatureBase64 !== 'string' || !isBody(body) ||
    typeof nonce !== 'string' || !WEBHOOK_NONCE.test(nonce)) {
    return slow();
  }
  // The signed text: a string as it arrived, a number or bigint as its decimal digits.
  const tsValue = canonicalMillis(timestamp);
  if (tsValue === null) return slow();
  const tsText = typeof timestamp === 'string' ? timestamp : tsValue;
  let fresh;
  try {
    fresh = freshnessOptions(options);
  } catch {
    // A getter that throws: the module reads such an option as absent.
    fresh = undefined;
  }
  if (fresh === undefined) return slow();
  if (!keys.has(publicKeyPem)) {
    // First use of this key: the module parses it under its own rules (and answers this call).
    const result = slow();
    rememberKey(publicKeyPem);
    return result;
  }
  const entry = keys.get(publicKeyPem);
  if (entry === null) return slow();
  const signature = Buffer.from(signatureBase64, 'base64');
  // Only canonical, padded standard base64 of the right length; the module names anything else.
  if (signature.length !== entry.bytes || signature.toString('base64') !== signatureBase64) return slow();
  const message = typeof body === 'string'
    ? Buffer.from(`${tsText}\n${nonce}\n${body}\n`)
    : Buffer.concat([Buffer.from(`${tsText}\n${nonce}\n`), body, NEWLINE]);
  let valid;
  try {
    valid = nodeCrypto.verify('sha256', message, entry.key, signature);
  } catch {
    return slow();
  }
  if (!valid) return false;
  const [window, nowMs] = fresh;
  if (window === null) return true;
  const skew = (nowMs === null ? Date.now() : nowMs) - Number(tsValue);
  return Math.abs(skew) <= window;
}
const NEWLINE = Buffer.from('\n');

const api = { ...wasm, sign, signRequest };
if (typeof wasm.verifyWebhook === 'function') api.verifyWebhook = verifyWebhook;
Object.defineProperty(api, '__wasm', { value: wasm });
module.exports = Object.freeze(api);
