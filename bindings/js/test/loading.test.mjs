// The package loads by its name with `require` and `import`, as one instance; its portable
// files use no Node built-in; `core` instantiates from a handed-over WebAssembly.Module.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

import { pkgDir } from './support.mjs';

const app = mkdtempSync(join(tmpdir(), 'binancepay-sign-load-'));
mkdirSync(join(app, 'node_modules'));
symlinkSync(resolve(pkgDir), join(app, 'node_modules', 'binancepay-sign'), 'dir');
after(() => rmSync(app, { recursive: true, force: true }));

const V0 = "sign('uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f', 1611232922428, '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA', body)";
const V0_SIGNATURE = 'C1F7A336D5E6A100DD31F41669895D99C24A3A4D4F96DB6389761CB2CDD37FA2F6D106A24DB048B4989005E85EADEA392CD866902736D3D276BDC44C49DD00FC';
const V0_BODY = JSON.stringify(readFileSync(join(pkgDir, '..', '..', '..', 'crates', 'binancepay-sign', 'tests', 'vectors', 'v0-faq.body'), 'utf8'));

function node(args, source) {
  const run = spawnSync(process.execPath, [...args, source], { cwd: app, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

test('require by name', () => {
  const out = node(['-e'], `const { sign, verifyWebhook, BinancePayError } = require('binancepay-sign');
    const body = ${V0_BODY};
    console.log(${V0}, typeof verifyWebhook, BinancePayError.name);`);
  assert.equal(out, `${V0_SIGNATURE} function BinancePayError`);
});

test('import by name (named and default exports)', () => {
  const out = node(['--input-type=module', '-e'], `import { sign, newNonce } from 'binancepay-sign';
    import api from 'binancepay-sign';
    const body = ${V0_BODY};
    console.log(${V0}, api.sign === sign, newNonce().length);`);
  assert.equal(out, `${V0_SIGNATURE} true 32`);
});

test('require and import share one instance: one BinancePayError class', () => {
  const out = node(['--input-type=module', '-e'], `import { createRequire } from 'node:module';
    import { BinancePayError, sign } from 'binancepay-sign';
    const required = createRequire(import.meta.url)('binancepay-sign');
    let caught;
    try { required.sign('', 1611232922428, 'x', '') } catch (e) { caught = e }
    console.log(required.BinancePayError === BinancePayError, caught instanceof BinancePayError, caught.code);`);
  assert.equal(out, 'true true API_SECRET_EMPTY');
});

test('the portable loader (index.mjs) runs with no Node globals or built-ins', () => {
  // Evaluate index.mjs as a module in a fresh vm context that has only what a browser or a
  // worker has of what the package uses: WebAssembly, TextEncoder/TextDecoder, atob, crypto.
  const out = node(['--experimental-vm-modules', '--no-warnings', '--input-type=module', '-e'], `
    import vm from 'node:vm';
    import { readFileSync } from 'node:fs';
    const source = readFileSync('node_modules/binancepay-sign/index.mjs', 'utf8');
    const context = vm.createContext({ WebAssembly, TextEncoder, TextDecoder, atob, crypto: globalThis.crypto, console });
    const mod = new vm.SourceTextModule(source + '\\nglobalThis.result = [sign(\\'s\\', 1611232922428, newNonce(), \\'{}\\').length, typeof verifyWebhook];', { context });
    await mod.link(() => { throw new Error('the loader imports something'); });
    await mod.evaluate();
    console.log(context.result.join(' '), typeof context.process, typeof context.require);`);
  assert.equal(out, '128 function undefined undefined');
});

test('no Node built-in in the portable files', () => {
  for (const file of ['index.mjs', 'index.cjs', 'core.mjs']) {
    const text = readFileSync(join(pkgDir, file), 'utf8');
    assert.doesNotMatch(text, /\brequire\s*\(/, file);
    assert.doesNotMatch(text, /\bimport\s*\(|^\s*import\s/m, file);
    assert.doesNotMatch(text, /['"]node:|\bprocess\.|\bBuffer\b|__dirname/, file);
  }
});

test('core: init with a WebAssembly.Module (edge runtimes)', () => {
  const out = node(['--input-type=module', '-e'], `import { readFileSync } from 'node:fs';
    import { init, sign, BinancePayError } from 'binancepay-sign/core';
    let before;
    try { sign('s', 1611232922428, 'x', '') } catch (e) { before = e.code }
    init(new WebAssembly.Module(readFileSync('node_modules/binancepay-sign/binancepay_sign_bg.wasm')));
    const body = ${V0_BODY};
    console.log(before, ${V0});`);
  assert.equal(out, `NOT_INITIALIZED ${V0_SIGNATURE}`);
});

test('package.json names the package and its entry points', () => {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'binancepay-sign');
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  for (const file of manifest.files) {
    assert.ok(readFileSync(join(pkgDir, file)).length > 0, file);
  }
});

test('index.d.ts declares exactly the exported functions', () => {
  const declared = [...readFileSync(join(pkgDir, 'index.d.ts'), 'utf8').matchAll(/^export (?:function|class) (\w+)/gm)]
    .map((m) => m[1])
    .sort();
  const out = node(['-e'], "console.log(Object.keys(require('binancepay-sign')).sort().join(' '))");
  assert.equal(declared.join(' '), out);
});

test("the root README's example runs as printed", () => {
  const readme = readFileSync(join(pkgDir, '..', '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('## From Node.js');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  assert.equal(blocks.length, 1);
  // Credentials, a key and an incoming request signed with it, as a server would have them.
  const prelude = `const { generateKeyPairSync, sign: rsaSign, createHmac } = require('node:crypto');
    const API_KEY = 'hx8wpbzmn5ftzkxfrzqwlvfsybadfdrxuzwxhjvbagbw6dmnafvffshpcfxgm2pj';
    const API_SECRET = 'uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f';
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const CERT_PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' });
    const rawBody = Buffer.from('{"bizType":"PAY"}');
    const ts = String(Date.now()); const nonce = 'NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH';
    const req = { headers: { 'binancepay-timestamp': ts, 'binancepay-nonce': nonce,
      'binancepay-signature': rsaSign('sha256', Buffer.concat([Buffer.from(ts + '\\n' + nonce + '\\n'), rawBody, Buffer.from('\\n')]), privateKey).toString('base64') } };`;
  const check = `const h = headers;
    const expected = createHmac('sha512', API_SECRET).update(h['BinancePay-Timestamp'] + '\\n' + h['BinancePay-Nonce'] + '\\n' + body + '\\n').digest('hex').toUpperCase();
    console.log(ok, h['BinancePay-Signature'] === expected);`;
  assert.equal(node(['-e'], `${prelude}\n${blocks[0]}\n${check}`), 'true true');
});
