// Random cases against Node's own node:crypto: HMAC-SHA512 requests and RSA-SHA256 webhooks
// under keys node:crypto generates (1024, 2048 and 4096 bits).
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, randomInt, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { test } from 'node:test';

import { api } from './support.mjs';

const { sign, signRequest, verifyWebhook, newNonce } = api;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(alphabet, length) {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function randomUnicode(length) {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    const pick = randomInt(4);
    if (pick === 0) out += String.fromCodePoint(0x20 + randomInt(0x5f));
    else if (pick === 1) out += String.fromCodePoint(0xa0 + randomInt(0x700));
    else if (pick === 2) out += String.fromCodePoint(0x4e00 + randomInt(0x5000));
    else out += String.fromCodePoint(0x1f300 + randomInt(0x300));
  }
  return out;
}

const randomTimestamp = () => 100_000_000_000 + randomInt(99_900_000_000_000);

function reference(secret, timestamp, nonce, body) {
  return createHmac('sha512', secret)
    .update(`${timestamp}\n${nonce}\n`)
    .update(body)
    .update('\n')
    .digest('hex')
    .toUpperCase();
}

test('sign equals createHmac on random secrets, timestamps, nonces and bodies', () => {
  for (let i = 0; i < 300; i += 1) {
    const secret = i % 3 === 0 ? randomUnicode(1 + randomInt(200)) : randomText(ALNUM, 1 + randomInt(200));
    const timestamp = randomTimestamp();
    const nonce = randomText(ALNUM, 32);
    const bytes = new Uint8Array(randomBytes(randomInt(5000)));
    assert.equal(sign(secret, timestamp, nonce, bytes), reference(secret, timestamp, nonce, bytes));
    const text = randomUnicode(randomInt(800));
    const expected = reference(secret, timestamp, nonce, Buffer.from(text, 'utf8'));
    assert.equal(sign(secret, String(timestamp), nonce, text), expected);
    assert.equal(sign(secret, BigInt(timestamp), nonce, new TextEncoder().encode(text)), expected);
  }
});

test('a one-megabyte body', () => {
  const body = new Uint8Array(randomBytes(1 << 20));
  const ts = randomTimestamp();
  const nonce = newNonce();
  assert.equal(sign('secret', ts, nonce, body), reference('secret', ts, nonce, body));
});

test('signRequest: the four headers, verifiable with createHmac', () => {
  const apiKey = randomText(ALNUM, 64);
  const secret = randomText(ALNUM, 64);
  const body = JSON.stringify({ merchantTradeNo: '9825382937292', orderAmount: '25.17', currency: 'USDT' });
  const before = Date.now();
  const headers = signRequest(apiKey, secret, body);
  const after = Date.now();
  assert.deepEqual(Object.keys(headers).sort(), [
    'BinancePay-Certificate-SN', 'BinancePay-Nonce', 'BinancePay-Signature', 'BinancePay-Timestamp',
  ]);
  assert.equal(headers['BinancePay-Certificate-SN'], apiKey);
  assert.match(headers['BinancePay-Nonce'], /^[A-Za-z]{32}$/);
  const ts = Number(headers['BinancePay-Timestamp']);
  assert.ok(ts >= before && ts <= after, `${ts} not in [${before}, ${after}]`);
  assert.equal(headers['BinancePay-Signature'], reference(secret, ts, headers['BinancePay-Nonce'], body));

  const fixed = signRequest(apiKey, secret, body, { timestamp: 1611232922428n, nonce: '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA' });
  assert.equal(fixed['BinancePay-Timestamp'], '1611232922428');
  assert.equal(fixed['BinancePay-Nonce'], '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA');
  assert.equal(fixed['BinancePay-Signature'], sign(secret, '1611232922428', '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA', body));
});

test('newNonce: 32 letters, fresh each time', () => {
  const seen = new Set();
  for (let i = 0; i < 1000; i += 1) {
    const nonce = newNonce();
    assert.match(nonce, /^[A-Za-z]{32}$/);
    seen.add(nonce);
  }
  assert.equal(seen.size, 1000);
});

for (const bits of [1024, 2048, 4096]) {
  test(`verifyWebhook agrees with crypto.verify, RSA-${bits}`, () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const pems = [
      publicKey.export({ type: 'spki', format: 'pem' }),
      publicKey.export({ type: 'pkcs1', format: 'pem' }),
    ];
    const rounds = bits === 4096 ? 10 : 30;
    for (let i = 0; i < rounds; i += 1) {
      const ts = String(randomTimestamp());
      const nonce = randomText(ALNUM, 32);
      const body = i % 2 ? new Uint8Array(randomBytes(randomInt(3000))) : randomUnicode(randomInt(500));
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
      const message = Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), bytes, Buffer.from('\n')]);
      const signature = rsaSign('sha256', message, privateKey).toString('base64');
      const pem = pems[i % 2];
      assert.equal(verifyWebhook(pem, ts, nonce, body, signature), true);
      assert.equal(rsaVerify('sha256', message, publicKey, Buffer.from(signature, 'base64')), true);

      // Tampered: one bit of the body, of the signature, another nonce or timestamp.
      const tamperedBody = Buffer.concat([bytes, Buffer.from('x')]);
      assert.equal(verifyWebhook(pem, ts, nonce, new Uint8Array(tamperedBody), signature), false);
      const raw = Buffer.from(signature, 'base64');
      raw[randomInt(raw.length)] ^= 1 << randomInt(8);
      const tamperedSignature = raw.toString('base64');
      const nodeSays = rsaVerify('sha256', message, publicKey, raw);
      assert.equal(verifyWebhook(pem, ts, nonce, body, tamperedSignature), nodeSays);
      assert.equal(nodeSays, false);
      assert.equal(verifyWebhook(pem, ts, randomText(ALNUM, 32), body, signature), false);
      assert.equal(verifyWebhook(pem, String(Number(ts) + 1), nonce, body, signature), false);
      // Whitespace around the header value is tolerated (proxies add a trailing LF).
      assert.equal(verifyWebhook(pem, ts, nonce, body, `${signature}\n`), true);
    }
  });
}

test('verifyWebhook: maxAgeSeconds against nowMs', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const ts = 1_700_000_000_000;
  const nonce = newNonce();
  const body = '{"bizType":"PAY"}';
  const signature = rsaSign('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`), privateKey).toString('base64');
  const at = (nowMs) => verifyWebhook(pem, ts, nonce, body, signature, { maxAgeSeconds: 300, nowMs });
  assert.equal(at(ts + 300_000), true);
  assert.equal(at(ts + 300_001), false);
  assert.equal(at(ts - 300_001), false, 'a timestamp in the future beyond the window');
  assert.equal(at(BigInt(ts)), true);
  assert.equal(verifyWebhook(pem, ts, nonce, body, signature, { maxAgeSeconds: 300 }), false, 'Date.now() is years later');
  assert.equal(verifyWebhook(pem, ts, nonce, body, signature, {}), true);
  assert.equal(verifyWebhook(pem, ts, nonce, body, signature, { nowMs: ts }), true);
});
