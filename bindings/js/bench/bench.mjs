// The npm package against node:crypto, side by side in one run, in paired rounds.
//
//   node bindings/js/bench/bench.mjs [--rounds N] [--ms M]
//
// Each round times both sides of a pair for about M ms each, back to back, the first side
// alternating between rounds; the figure is the median of the per-round ratios (ours / Node's),
// which a machine whose speed drifts disturbs far less than separate runs. Inputs: the typical
// v3 order (benches/data/create_order_v3.json, compact) and the 2048-bit key of benches/data.
//
// Under Node the package runs `sign`, `signRequest` and `verifyWebhook` on node:crypto (node.cjs);
// the `wasm_*` pairs time the portable WebAssembly path (index.cjs) that browsers and workers run.
// The last lines compare the Node path with the goals: at most 1.5x node:crypto.
import { createHmac, createPrivateKey, createPublicKey, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const pkgDir = process.env.BINANCEPAY_SIGN_PKG || join(here, '..', 'pkg');
const load = createRequire(import.meta.url);
const { sign, signRequest, verifyWebhook } = load(join(pkgDir, 'node.cjs'));
const wasm = load(join(pkgDir, 'index.cjs'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = option('--rounds', 30);
const roundMs = option('--ms', 100);

const body = JSON.stringify(JSON.parse(readFileSync(join(root, 'benches/data/create_order_v3.json'), 'utf8')));
const secret = 'uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f';
const apiKey = 'TestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU';
const ts = 1611232922428;
const nonce = '5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA';

const privateKey = createPrivateKey(readFileSync(join(root, 'benches/data/webhook-key-2048.pkcs8.pem')));
const publicKey = createPublicKey(privateKey);
const pem = publicKey.export({ type: 'spki', format: 'pem' });
const webhookBody = readFileSync(join(root, 'benches/data/pay_webhook.json'));
const webhookBytes = new Uint8Array(webhookBody);
const message = Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), webhookBody, Buffer.from('\n')]);
const signature = rsaSign('sha256', message, privateKey).toString('base64');

// Both sides must agree before they are timed.
const nodeHmac = () => createHmac('sha512', secret).update(`${ts}\n${nonce}\n${body}\n`).digest('hex').toUpperCase();
if (sign(secret, ts, nonce, body) !== nodeHmac()) throw new Error('sign disagrees with createHmac');
const nodeVerify = () =>
  rsaVerify('sha256', Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), webhookBody, Buffer.from('\n')]), publicKey,
    Buffer.from(signature, 'base64'));
if (wasm.sign(secret, ts, nonce, body) !== nodeHmac()) throw new Error('wasm sign disagrees with createHmac');
if (verifyWebhook(pem, String(ts), nonce, webhookBytes, signature) !== true || nodeVerify() !== true ||
  wasm.verifyWebhook(pem, String(ts), nonce, webhookBytes, signature) !== true) {
  throw new Error('verification disagrees');
}

let sink = 0;
function time(fn) {
  // Calibrated iteration count per side, then ns per call over about roundMs.
  let n = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) sink ^= fn() ? 1 : 0;
    const elapsed = Number(process.hrtime.bigint() - start);
    if (elapsed >= roundMs * 1e6 || n >= 1 << 26) return elapsed / n;
    n = Math.max(n * 2, Math.ceil((n * roundMs * 1e6) / Math.max(elapsed, 1)));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function pair(label, ours, reference) {
  ours();
  reference();
  const oursNs = [];
  const refNs = [];
  const ratios = [];
  for (let r = 0; r < rounds; r += 1) {
    let a;
    let b;
    if (r % 2 === 0) {
      a = time(ours);
      b = time(reference);
    } else {
      b = time(reference);
      a = time(ours);
    }
    oursNs.push(a);
    refNs.push(b);
    ratios.push(a / b);
  }
  const line = `${label}: ours ${Math.min(...oursNs).toFixed(0)}/${median(oursNs).toFixed(0)} ns, ` +
    `node ${Math.min(...refNs).toFixed(0)}/${median(refNs).toFixed(0)} ns (best/median), ` +
    `ratio median ${median(ratios).toFixed(3)} (p10 ${pct(ratios, 0.1).toFixed(3)}, p90 ${pct(ratios, 0.9).toFixed(3)})`;
  console.log(line);
  console.log(`RESULT runtime=node pair=${label} ours_ns=${median(oursNs).toFixed(1)} ref_ns=${median(refNs).toFixed(1)} ratio=${median(ratios).toFixed(4)} rounds=${rounds}`);
  return median(ratios);
}

const GOAL = 1.5;
function goal(label, ratio) {
  console.log(`GOAL ${label}: ${ratio.toFixed(3)}x node:crypto (goal <= ${GOAL}x): ${ratio <= GOAL ? 'met' : 'MISSED'}`);
}

console.log(`node ${process.version}; body ${Buffer.byteLength(body)} B; webhook body ${webhookBody.length} B; ${rounds} paired rounds of ~${roundMs} ms per side`);
const signRatio = pair('sign_vs_createHmac', () => sign(secret, ts, nonce, body), nodeHmac);
const bodyBytes = new TextEncoder().encode(body);
pair('sign_bytes_vs_createHmac', () => sign(secret, ts, nonce, bodyBytes), nodeHmac);
pair('signRequest_vs_createHmac', () => signRequest(apiKey, secret, body)['BinancePay-Signature'], nodeHmac);
const verifyRatio = pair('verifyWebhook_2048_vs_crypto.verify',
  () => verifyWebhook(pem, String(ts), nonce, webhookBytes, signature), nodeVerify);
pair('wasm_sign_vs_createHmac', () => wasm.sign(secret, ts, nonce, body), nodeHmac);
pair('wasm_verifyWebhook_2048_vs_crypto.verify',
  () => wasm.verifyWebhook(pem, String(ts), nonce, webhookBytes, signature), nodeVerify);
goal('sign', signRatio);
goal('verifyWebhook', verifyRatio);
if (sink === 42) console.log('');
