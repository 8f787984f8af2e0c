// Malformed input: a BinancePayError with a stable code naming the rule, never a wasm trap.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { describe, test } from 'node:test';

import { paths, vectorFile } from './support.mjs';

for (const [path, api] of paths) describe(path, () => {
  const { sign, signRequest, verifyWebhook, newNonce, BinancePayError } = api;
  const NONCE = '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA';
  const TS = 1611232922428;
  const PEM = vectorFile('v3-webhook-1024.pem').toString('utf8');
  const SIG = 'VtniwOFAi4oBKFnvHhY6UZ+wPARf7+yWVbE61Hc7JVdRgqKJ40Yk9k5Gb2Y0S0VLUYOOOhUNUsD7R8GDEr6WH84sAEf8bXa1xYMiyjgeGleTg1MxRJCtrHcxMeMCEXPWmKTeLhn6O+cdvDGq4ZpcTTiQnEvk5xHPcxFrBT637zg=';

  function throwsCode(fn, code, fieldPattern) {
    assert.throws(fn, (e) => {
      assert.ok(e instanceof BinancePayError, `not a BinancePayError: ${e}`);
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'BinancePayError');
      assert.equal(e.code, code, e.message);
      if (fieldPattern) assert.match(e.message, fieldPattern);
      return true;
    });
  }

  test('sign: timestamps', () => {
    throwsCode(() => sign('s', 1636876819, NONCE, ''), 'TIMESTAMP_IN_SECONDS', /^timestamp: /);
    throwsCode(() => sign('s', 10 ** 14, NONCE, ''), 'TIMESTAMP_TOO_LARGE', /^timestamp: /);
    throwsCode(() => sign('s', 1.5e12 + 0.5, NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', -1, NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', NaN, NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', Infinity, NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', -5n, NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', 2n ** 64n, NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', '16112329224a8', NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', ' 1611232922428', NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', '', NONCE, ''), 'TIMESTAMP_SYNTAX');
    throwsCode(() => sign('s', null, NONCE, ''), 'ARGUMENT_TYPE', /^timestamp: /);
    throwsCode(() => sign('s', {}, NONCE, ''), 'ARGUMENT_TYPE');
    throwsCode(() => sign('s', new Date(TS), NONCE, ''), 'ARGUMENT_TYPE');
  });

  test('sign: nonce, secret, body', () => {
    throwsCode(() => sign('s', TS, 'abc', ''), 'NONCE_LENGTH', /^nonce: 3 bytes/);
    throwsCode(() => sign('s', TS, `${NONCE.slice(0, 31)}-`, ''), 'NONCE_CHARACTER', /byte 31/);
    throwsCode(() => sign('s', TS, `é${NONCE.slice(0, 30)}`, ''), 'NONCE_CHARACTER');
    throwsCode(() => sign('s', TS, undefined, ''), 'ARGUMENT_TYPE', /^nonce: /);
    throwsCode(() => sign('', TS, NONCE, ''), 'API_SECRET_EMPTY', /^api secret: /);
    throwsCode(() => sign(Buffer.from('s'), TS, NONCE, ''), 'ARGUMENT_TYPE', /^secret: /);
    throwsCode(() => sign('s', TS, NONCE, 42), 'ARGUMENT_TYPE', /^body: /);
    throwsCode(() => sign('s', TS, NONCE, [1, 2]), 'ARGUMENT_TYPE');
    throwsCode(() => sign('s', TS, NONCE, new ArrayBuffer(3)), 'ARGUMENT_TYPE');
    throwsCode(() => sign('s', TS, NONCE), 'ARGUMENT_TYPE');
    // A Buffer is a Uint8Array: accepted.
    assert.equal(sign('s', TS, NONCE, Buffer.from('{}')), sign('s', TS, NONCE, '{}'));
  });

  test('signRequest: api key and options', () => {
    throwsCode(() => signRequest('', 's', '{}'), 'API_KEY_LENGTH', /^api key: /);
    throwsCode(() => signRequest('a'.repeat(129), 's', '{}'), 'API_KEY_LENGTH');
    throwsCode(() => signRequest('key\r\nX-Evil: 1', 's', '{}'), 'API_KEY_CHARACTER');
    throwsCode(() => signRequest(7, 's', '{}'), 'ARGUMENT_TYPE', /^apiKey: /);
    throwsCode(() => signRequest('key', 's', '{}', 'fast'), 'ARGUMENT_TYPE', /^options: /);
    throwsCode(() => signRequest('key', 's', '{}', { timestamp: 1636876819 }), 'TIMESTAMP_IN_SECONDS');
    throwsCode(() => signRequest('key', 's', '{}', { timestamp: true }), 'ARGUMENT_TYPE', /^options\.timestamp: /);
    throwsCode(() => signRequest('key', 's', '{}', { nonce: 'short' }), 'NONCE_LENGTH');
    throwsCode(() => signRequest('key', 's', '{}', { nonce: 5 }), 'ARGUMENT_TYPE', /^options\.nonce: /);
    assert.equal(Object.keys(signRequest('key', 's', '{}', null)).length, 4);
  });

  test('verifyWebhook: keys', () => {
    const v = (pem) => () => verifyWebhook(pem, TS, NONCE, '{}', SIG);
    throwsCode(v('not a pem'), 'KEY_PEM', /^public key: /);
    throwsCode(v(''), 'KEY_PEM');
    throwsCode(v(PEM.replaceAll('PUBLIC KEY', 'CERTIFICATE')), 'KEY_PEM_LABEL');
    throwsCode(v(PEM.replace(/\n[A-Za-z]/, '\n*')), 'KEY_BASE64');
    throwsCode(v('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), 'KEY_DER');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    throwsCode(v(ec), 'KEY_ALGORITHM');
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ type: 'spki', format: 'pem' });
    throwsCode(v(small), 'KEY_SIZE', /512 bits/);
    throwsCode(v(undefined), 'ARGUMENT_TYPE', /^publicKeyPem: /);
  });

  test('verifyWebhook: signature, timestamp, nonce, options', () => {
    const body = vectorFile('v3-webhook-1024.body');
    const v = (...args) => () => verifyWebhook(PEM, ...args);
    throwsCode(v(TS, NONCE, body, 'not base64!'), 'SIGNATURE_BASE64', /^signature: /);
    throwsCode(v(TS, NONCE, body, SIG.slice(0, -4)), 'SIGNATURE_LENGTH');
    throwsCode(v(TS, NONCE, body, ''), 'SIGNATURE_LENGTH');
    throwsCode(v(TS, NONCE, body, 5), 'ARGUMENT_TYPE', /^signatureBase64: /);
    throwsCode(v('1611232922', NONCE, body, SIG), 'TIMESTAMP_IN_SECONDS');
    throwsCode(v('abc', NONCE, body, SIG), 'TIMESTAMP_SYNTAX');
    throwsCode(v(TS, '', body, SIG), 'NONCE_LENGTH', /^nonce: /);
    throwsCode(v(TS, 'ab\ncd', body, SIG), 'NONCE_CHARACTER');
    throwsCode(v(TS, NONCE, null, SIG), 'ARGUMENT_TYPE', /^body: /);
    throwsCode(v(TS, NONCE, body, SIG, 300), 'ARGUMENT_TYPE', /^options: /);
    throwsCode(v(TS, NONCE, body, SIG, { maxAgeSeconds: -1 }), 'ARGUMENT_RANGE', /^options\.maxAgeSeconds: /);
    throwsCode(v(TS, NONCE, body, SIG, { maxAgeSeconds: '300' }), 'ARGUMENT_TYPE');
    throwsCode(v(TS, NONCE, body, SIG, { maxAgeSeconds: 1, nowMs: 'soon' }), 'TIMESTAMP_SYNTAX');
    // Still fine after all of that.
    assert.equal(verifyWebhook(PEM, String(TS), NONCE, new Uint8Array(body), SIG), true);
  });

  test('random garbage: a value or a BinancePayError, never a trap', () => {
    const pick = () => {
      switch (randomInt(9)) {
        case 0: return randomBytes(randomInt(64)).toString('latin1');
        case 1: return new Uint8Array(randomBytes(randomInt(64)));
        case 2: return randomInt(2 ** 48 - 1) * (randomInt(2) ? 1 : -1);
        case 3: return BigInt(randomInt(2 ** 48 - 1)) ** BigInt(randomInt(3));
        case 4: return randomBytes(randomInt(200)).toString('base64');
        case 5: return [undefined, null, true, {}, [], () => 1, Symbol('x')][randomInt(7)];
        case 6: return `-----BEGIN PUBLIC KEY-----\n${randomBytes(randomInt(300)).toString('base64')}\n-----END PUBLIC KEY-----\n`;
        case 7: return String(100_000_000_000 + randomInt(2 ** 46));
        default: return 'A'.repeat(randomInt(40));
      }
    };
    for (let i = 0; i < 3000; i += 1) {
      const fn = [sign, signRequest, verifyWebhook][i % 3];
      const args = Array.from({ length: 6 }, pick);
      try {
        fn(...args);
      } catch (e) {
        assert.ok(e instanceof BinancePayError, `${fn.name}(${args.map(String).join(', ')}) threw ${e}`);
        assert.match(e.code, /^[A-Z0-9_]+$/);
      }
    }
    assert.match(newNonce(), /^[A-Za-z]{32}$/);
    assert.equal(verifyWebhook(PEM, TS, NONCE, vectorFile('v3-webhook-1024.body'), SIG), true);
  });
});
