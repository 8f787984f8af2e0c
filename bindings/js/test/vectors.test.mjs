// The repository's signature vectors (crates/binancepay-sign/tests/vectors) through the package.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { paths, vectorFile, vectors } from './support.mjs';

for (const [path, api] of paths) describe(path, () => {
  const { sign, verifyWebhook, BinancePayError } = api;
  const all = vectors();

  test('the vector files are there', () => {
    const kinds = new Set(all.map((v) => v.kind));
    for (const kind of ['request', 'payload', 'webhook', 'signing']) {
      assert.ok(kinds.has(kind), `no ${kind} vector`);
    }
  });

  for (const v of all.filter((x) => x.kind === 'request')) {
    test(`request vector ${v.name}`, () => {
      const body = vectorFile(v.body_file);
      if (v.strict) {
        const text = new TextDecoder().decode(body);
        for (const timestamp of [v.timestamp, Number(v.timestamp), BigInt(v.timestamp)]) {
          assert.equal(sign(v.secret, timestamp, v.nonce, new Uint8Array(body)), v.signature);
          assert.equal(sign(v.secret, timestamp, v.nonce, text), v.signature);
        }
        if (v.ascii_lossy_prefix) {
          assert.ok(!v.signature.startsWith(v.ascii_lossy_prefix));
        }
      } else {
        // Binance would refuse these headers (seconds, short nonce): so does sign().
        assert.throws(
          () => sign(v.secret, v.timestamp, v.nonce, new Uint8Array(body)),
          (e) => e instanceof BinancePayError && /^(TIMESTAMP|NONCE)_/.test(e.code),
        );
        // The arithmetic still matches node:crypto over the documented framing.
        const payload = Buffer.concat([Buffer.from(`${v.timestamp}\n${v.nonce}\n`), body, Buffer.from('\n')]);
        assert.equal(createHmac('sha512', v.secret).update(payload).digest('hex').toUpperCase(), v.signature);
      }
    });
  }

  for (const v of all.filter((x) => x.kind === 'payload')) {
    test(`payload vector ${v.name}: sign() hashes exactly the documented string`, () => {
      const body = vectorFile(v.body_file);
      const payload = vectorFile(v.payload_file);
      const secret = 'any secret will do';
      const expected = createHmac('sha512', secret).update(payload).digest('hex').toUpperCase();
      assert.equal(sign(secret, v.timestamp, v.nonce, new Uint8Array(body)), expected);
    });
  }

  for (const v of all.filter((x) => x.kind === 'webhook' || x.kind === 'signing')) {
    test(`webhook vector ${v.name}`, () => {
      const body = new Uint8Array(vectorFile(v.body_file));
      const pems = [v.public_key_file, v.public_key_pkcs1_pem_file].filter(Boolean);
      for (const pemFile of pems) {
        const pem = vectorFile(pemFile).toString('utf8');
        assert.equal(verifyWebhook(pem, v.timestamp, v.nonce, body, v.signature), true, pemFile);
        assert.equal(verifyWebhook(pem, v.timestamp, v.nonce, Buffer.from(body).toString('utf8'), v.signature), true);
        if (/^[0-9]+$/.test(v.timestamp)) {
          assert.equal(verifyWebhook(pem, BigInt(v.timestamp), v.nonce, body, v.signature), true);
        }
        for (const negative of v.negative || []) {
          let [b, sig] = [Buffer.from(body), v.signature.trim()];
          const ts = v.timestamp;
          if (negative.variant === 'no_trailing_lf') {
            // The framing's last LF is the package's to add: a body that carries one more LF
            // (what a caller adding it by hand sends) must not verify.
            b = Buffer.concat([b, Buffer.from('\n')]);
          } else if (negative.variant === 'replace_body') {
            b = Buffer.from(b.toString('utf8').replace(negative.from, negative.to));
          } else if (negative.variant === 'flip_body_byte') {
            b[negative.index] ^= 1;
          } else if (negative.variant === 'flip_signature_byte') {
            const raw = Buffer.from(sig, 'base64');
            raw[negative.index] ^= 1;
            sig = raw.toString('base64');
          } else {
            assert.fail(`unknown negative variant ${negative.variant}`);
          }
          assert.equal(verifyWebhook(pem, ts, v.nonce, new Uint8Array(b), sig), false, negative.variant);
        }
      }
    });
  }
});
