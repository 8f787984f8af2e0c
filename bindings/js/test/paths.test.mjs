// The node:crypto path (node.cjs) and the WebAssembly path (index.cjs) give the same result, or
// throw the same BinancePayError (code and message), for the same input: chosen edge cases
// first, then random input built from valid values with one part spoiled.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, randomInt, sign as rsaSign } from 'node:crypto';
import { test } from 'node:test';

import { api, vectorFile, wasmApi } from './support.mjs';

const NONCE = '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA';
const TS = 1611232922428;
const SECRET = 'uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' });
const PKCS1 = publicKey.export({ type: 'pkcs1', format: 'pem' });
const PEM_1024 = vectorFile('v3-webhook-1024.pem').toString('utf8');
const BODY = '{"bizType":"PAY","data":"{\\"merchantTradeNo\\":\\"9825382937292\\"}","bizId":29383937493038367292}';

function signWebhook(ts, nonce, body) {
  const message = Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]);
  return rsaSign('sha256', message, privateKey).toString('base64');
}

function outcome(fn, args) {
  try {
    return { value: fn(...args) };
  } catch (e) {
    assert.ok(e instanceof api.BinancePayError, `not a BinancePayError: ${e}`);
    return { code: e.code, message: e.message };
  }
}

function same(name, args) {
  // The node path first: its first call with a new key goes through the module.
  const node = outcome(api[name], args);
  const wasm = outcome(wasmApi[name], args);
  assert.deepEqual(node, wasm, `${name}(${args.map((a) => String(a).slice(0, 40)).join(', ')})`);
  return node;
}

test('the node path is in use under Node', () => {
  assert.notEqual(api.sign, wasmApi.sign);
  assert.notEqual(api.verifyWebhook, wasmApi.verifyWebhook);
  assert.notEqual(api.signRequest, wasmApi.signRequest);
  assert.equal(api.BinancePayError, wasmApi.BinancePayError);
  assert.equal(api.decryptPayerDetail, wasmApi.decryptPayerDetail);
  assert.deepEqual(Object.keys(api).sort(), Object.keys(wasmApi).sort());
});

test('sign: edge cases agree', () => {
  const bodies = ['', '{}', BODY, 'ü€😀', 'lone \uD800 surrogate', new Uint8Array([0, 255, 10]), Buffer.from(BODY)];
  const stamps = [TS, String(TS), BigInt(TS), `000${TS}`, '0'.repeat(30) + TS, 1e11, 1e11 - 1, 1e14, 1e14 - 1,
    '99999999999999', '100000000000000', TS + 0.5, -TS, NaN, `${TS} `, '', null, 2n ** 64n, 1636876819];
  const secrets = [SECRET, 's', '', 'sécret', 'lone \uDC00', 7, undefined];
  const nonces = [NONCE, NONCE.slice(1), `${NONCE}A`, `${NONCE.slice(1)}-`, `é${NONCE.slice(2)}`, 5];
  for (const body of bodies) same('sign', [SECRET, TS, NONCE, body]);
  for (const ts of stamps) same('sign', [SECRET, ts, NONCE, BODY]);
  for (const secret of secrets) same('sign', [secret, TS, NONCE, BODY]);
  for (const nonce of nonces) same('sign', [SECRET, TS, nonce, BODY]);
  for (const body of [42, null, [1], new ArrayBuffer(2), new Uint16Array(2)]) same('sign', [SECRET, TS, NONCE, body]);
  const expected = createHmac('sha512', SECRET).update(`${TS}\n${NONCE}\n${BODY}\n`).digest('hex').toUpperCase();
  assert.equal(api.sign(SECRET, `00${TS}`, NONCE, BODY), expected);
});

test('signRequest: edge cases agree', () => {
  const options = [{ timestamp: TS, nonce: NONCE }, { timestamp: `0${TS}`, nonce: NONCE }, { timestamp: BigInt(TS), nonce: NONCE },
    { timestamp: 1636876819, nonce: NONCE }, { timestamp: true, nonce: NONCE }, { timestamp: TS, nonce: 'short' },
    { timestamp: TS, nonce: 5 }, 'fast', () => 1, 7];
  for (const o of options) same('signRequest', ['key1', SECRET, BODY, o]);
  // An option whose getter throws is read as absent (a fresh nonce) on both paths.
  for (const signer of [api.signRequest, wasmApi.signRequest]) {
    const headers = signer('key1', SECRET, BODY, { timestamp: TS, get nonce() { throw new Error('getter'); } });
    assert.equal(headers['BinancePay-Timestamp'], String(TS));
    assert.match(headers['BinancePay-Nonce'], /^[A-Za-z]{32}$/);
  }
  for (const key of ['', 'a'.repeat(128), 'a'.repeat(129), 'key\r\nX-Evil: 1', 'ké', 7]) {
    same('signRequest', [key, SECRET, BODY, { timestamp: TS, nonce: NONCE }]);
  }
  for (const secret of ['', 7, 'sécret']) same('signRequest', ['key1', secret, BODY, { timestamp: TS, nonce: NONCE }]);
  for (const body of [Buffer.from(BODY), null]) same('signRequest', ['key1', SECRET, body, { timestamp: TS, nonce: NONCE }]);
  // Defaults: now and a fresh nonce, on both paths.
  for (const signer of [api.signRequest, wasmApi.signRequest]) {
    for (const o of [undefined, null, {}, { nonce: NONCE }, { timestamp: TS }]) {
      const before = Date.now();
      const headers = signer('key1', SECRET, BODY, o);
      const ts = headers['BinancePay-Timestamp'];
      assert.ok(o?.timestamp ? ts === String(TS) : Number(ts) >= before && Number(ts) <= Date.now(), ts);
      assert.match(headers['BinancePay-Nonce'], o?.nonce ? new RegExp(`^${NONCE}$`) : /^[A-Za-z]{32}$/);
      assert.equal(headers['BinancePay-Certificate-SN'], 'key1');
      assert.equal(headers['BinancePay-Signature'], wasmApi.sign(SECRET, ts, headers['BinancePay-Nonce'], BODY));
    }
  }
});

test('verifyWebhook: edge cases agree', () => {
  const sig = signWebhook(TS, NONCE, BODY);
  const raw = Buffer.from(sig, 'base64');
  const flipped = Buffer.from(raw);
  flipped[5] ^= 1;
  const sigs = [sig, flipped.toString('base64'), sig.replace(/=+$/, ''), sig.slice(0, -4), `${sig} `, `\n${sig}`,
    Buffer.alloc(256, 0xff).toString('base64'), Buffer.alloc(256).toString('base64'), 'not base64!', '',
    // Same bytes with non-zero trailing bits: not canonical base64.
    `${sig.slice(0, -3)}${String.fromCharCode(sig.charCodeAt(sig.length - 3) + 1)}==`, 5];
  for (const pem of [PEM, PKCS1]) {
    for (const s of sigs) same('verifyWebhook', [pem, String(TS), NONCE, BODY, s]);
    for (const s of sigs) same('verifyWebhook', [pem, String(TS), NONCE, BODY, s]);
  }
  const stamps = [String(TS), TS, BigInt(TS), `0${TS}`, '1611232922', 'abc', '', TS + 0.5, null, 2n ** 70n];
  for (const ts of stamps) {
    same('verifyWebhook', [PEM, ts, NONCE, BODY, sig]);
    same('verifyWebhook', [PEM, ts, NONCE, BODY, signWebhook(ts, NONCE, BODY)]);
  }
  for (const nonce of ['', 'a', 'a'.repeat(128), 'a'.repeat(129), 'ab\ncd', 'é', 3]) {
    same('verifyWebhook', [PEM, TS, nonce, BODY, signWebhook(TS, nonce, BODY)]);
  }
  for (const body of [BODY, Buffer.from(BODY), new Uint8Array(Buffer.from(BODY)), `${BODY}\n`, null, 1]) {
    same('verifyWebhook', [PEM, TS, NONCE, body, sig]);
  }
  const fresh = signWebhook(TS, NONCE, BODY);
  const options = [undefined, null, {}, { maxAgeSeconds: 300, nowMs: TS + 300_000 }, { maxAgeSeconds: 300, nowMs: TS + 300_001 },
    { maxAgeSeconds: 300, nowMs: TS - 300_000 }, { maxAgeSeconds: 300, nowMs: TS - 300_001 }, { maxAgeSeconds: 0.0004, nowMs: TS },
    { maxAgeSeconds: 0.0005, nowMs: TS + 1 }, { maxAgeSeconds: Infinity, nowMs: TS }, { maxAgeSeconds: 300 }, { maxAgeSeconds: -0, nowMs: TS },
    { maxAgeSeconds: -1 }, { maxAgeSeconds: NaN }, { maxAgeSeconds: '300' }, { maxAgeSeconds: 1, nowMs: 'soon' },
    { maxAgeSeconds: 1, nowMs: String(TS) }, { maxAgeSeconds: 1, nowMs: BigInt(TS) }, { nowMs: 1 }, 300, 'x', () => 1];
  for (const o of options) same('verifyWebhook', [PEM, TS, NONCE, BODY, fresh, o]);
  const throwing = { get maxAgeSeconds() { throw new Error('getter'); } };
  same('verifyWebhook', [PEM, TS, NONCE, BODY, fresh, throwing]);
  // The 1024-bit key of the published vector, and keys the module refuses.
  same('verifyWebhook', [PEM_1024, TS, NONCE, BODY, sig]);
  for (const pem of ['not a pem', '', PEM.replaceAll('PUBLIC KEY', 'CERTIFICATE'), undefined,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' })]) {
    same('verifyWebhook', [pem, TS, NONCE, BODY, sig]);
  }
});

test('a key used again after others still verifies on both paths', () => {
  const keys = Array.from({ length: 6 }, () => generateKeyPairSync('rsa', { modulusLength: 1024 }));
  for (let round = 0; round < 2; round += 1) {
    for (const { privateKey: key, publicKey: pub } of keys) {
      const message = Buffer.from(`${TS}\n${NONCE}\n${BODY}\n`);
      const s = rsaSign('sha256', message, key).toString('base64');
      const pem = pub.export({ type: 'spki', format: 'pem' });
      assert.deepEqual(same('verifyWebhook', [pem, TS, NONCE, BODY, s]), { value: true });
      // Under the 2048-bit key, a 1024-bit signature has the wrong length.
      assert.equal(same('verifyWebhook', [PEM, TS, NONCE, BODY, s]).code, 'SIGNATURE_LENGTH');
    }
  }
});

test('random input: the same outcome on both paths', () => {
  const sig = signWebhook(TS, NONCE, BODY);
  const spoil = (value) => {
    switch (randomInt(8)) {
      case 0: return randomBytes(randomInt(40)).toString('latin1');
      case 1: return new Uint8Array(randomBytes(randomInt(40)));
      case 2: return randomInt(2 ** 47) * (randomInt(2) ? 1 : -1);
      case 3: return [undefined, null, true, {}, [], 1.5, 10n ** 13n][randomInt(7)];
      case 4: return typeof value === 'string' && value.length > 0
        ? value.slice(0, randomInt(value.length)) + String.fromCharCode(randomInt(128)) + value.slice(randomInt(value.length))
        : value;
      case 5: return String(100_000_000_000 + randomInt(2 ** 46));
      default: return value;
    }
  };
  for (let i = 0; i < 1500; i += 1) {
    const signArgs = [SECRET, TS, NONCE, BODY];
    signArgs[randomInt(4)] = spoil(signArgs[randomInt(4)]);
    same('sign', signArgs);
    const verifyArgs = [PEM, String(TS), NONCE, BODY, sig, { maxAgeSeconds: 60, nowMs: TS + randomInt(120_000) }];
    const at = randomInt(6);
    verifyArgs[at] = spoil(verifyArgs[at]);
    same('verifyWebhook', verifyArgs);
  }
});
