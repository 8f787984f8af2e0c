// decryptPayerDetail on the shared vectors of tests/data/payer_detail (made with
// pyca/cryptography; the Rust and Python tests read the same file), and against node:crypto.
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { paths, rootDir } from './support.mjs';

const { cases } = JSON.parse(readFileSync(join(rootDir, 'tests', 'data', 'payer_detail', 'vectors.json'), 'utf8'));

for (const [path, api] of paths) describe(path, () => {
  const { decryptPayerDetail, BinancePayError } = api;

  test('the shared vectors are there', () => {
    assert.ok(cases.filter((c) => 'plaintext' in c).length >= 4);
    assert.ok(cases.filter((c) => 'error' in c).length >= 10);
  });

  for (const c of cases) {
    test(`vector ${c.name}`, () => {
      if ('plaintext' in c) {
        assert.equal(decryptPayerDetail(c.secret, c.data), c.plaintext);
      } else {
        assert.throws(() => decryptPayerDetail(c.secret, c.data), (e) => {
          assert.ok(e instanceof BinancePayError, String(e));
          assert.equal(e.code, c.error, e.message);
          assert.match(e.message, /^payerDetail: /);
          assert.ok(!e.message.includes(c.secret));
          return true;
        });
      }
    });
  }

  test('what node:crypto encrypts decrypts', () => {
    const secret = 'uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f';
    for (const plaintext of ['', '{"firstName":"Ann"}', 'ü€😀'.repeat(100)]) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(secret).digest(), iv);
      const data = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      assert.equal(decryptPayerDetail(secret, data.toString('base64')), plaintext);
    }
  });

  test('argument types', () => {
    const data = cases[0].data;
    const code = (fn) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof BinancePayError);
        return e.code;
      }
      return 'no error';
    };
    assert.equal(code(() => decryptPayerDetail('', data)), 'API_SECRET_EMPTY');
    assert.equal(code(() => decryptPayerDetail(undefined, data)), 'ARGUMENT_TYPE');
    assert.equal(code(() => decryptPayerDetail(cases[0].secret, Buffer.from(data))), 'ARGUMENT_TYPE');
    assert.equal(code(() => decryptPayerDetail(cases[0].secret)), 'ARGUMENT_TYPE');
  });
});
