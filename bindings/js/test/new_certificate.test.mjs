// Binance's new platform certificate: a webhook may carry BinancePay-Certificate-SN-New and
// BinancePay-Signature-New beside (or instead of) the usual pair. Each pair verifies with the
// same verifyWebhook, under the key its own certificates endpoint lists for its serial.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { test } from 'node:test';

import { api } from './support.mjs';

const { verifyWebhook } = api;

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) };
}

const signWith = (privateKey, timestamp, nonce, body) =>
  rsaSign('sha256', Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]), privateKey).toString('base64');

test('both pairs of one webhook verify, each under its own key', () => {
  const oldKey = keyPair();
  const newKey = keyPair();
  const timestamp = String(Date.now());
  const nonce = 'WzUn0wcV5hvWpEvSyHcxbrsF1eBHOFCU';
  const body = '{"bizType":"PAY","bizIdStr":"29383937493038367292","bizStatus":"PAY_SUCCESS","data":"{}"}';
  const headers = {
    'binancepay-signature': signWith(oldKey.privateKey, timestamp, nonce, body),
    'binancepay-signature-new': signWith(newKey.privateKey, timestamp, nonce, body),
  };
  assert.equal(verifyWebhook(oldKey.pem, timestamp, nonce, body, headers['binancepay-signature']), true);
  assert.equal(verifyWebhook(newKey.pem, timestamp, nonce, body, headers['binancepay-signature-new']), true);
  // A pair checked under the other pair's key does not verify: keys are not interchangeable.
  assert.equal(verifyWebhook(oldKey.pem, timestamp, nonce, body, headers['binancepay-signature-new']), false);
  assert.equal(verifyWebhook(newKey.pem, timestamp, nonce, body, headers['binancepay-signature']), false);
  // Tampering breaks the -New pair like any other.
  assert.equal(verifyWebhook(newKey.pem, timestamp, nonce, body + ' ', headers['binancepay-signature-new']), false);
});

test('the key is the one whose certSerial is the -New serial, whatever the list order', () => {
  const keys = [keyPair(), keyPair(), keyPair()];
  const list = keys.map((key, i) => ({ certSerial: `serial-${i}`, certPublic: key.pem })).reverse();
  const timestamp = String(Date.now());
  const nonce = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
  const body = new Uint8Array(Buffer.from('{"bizType":"PAY"}'));
  const signature = signWith(keys[1].privateKey, timestamp, nonce, body);
  const found = list.find((c) => c.certSerial === 'serial-1');
  assert.equal(verifyWebhook(found.certPublic, timestamp, nonce, body, signature), true);
  assert.equal(verifyWebhook(list[0].certPublic, timestamp, nonce, body, signature), false);
});
