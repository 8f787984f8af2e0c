// Shared helpers of the package's tests: where the package and the repository's vectors are,
// and a reader for the subset of TOML the vector files use.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const pkgDir = process.env.BINANCEPAY_SIGN_PKG || join(here, '..', 'pkg');
export const vectorsDir = join(here, '..', '..', '..', 'crates', 'binancepay-sign', 'tests', 'vectors');

// The package as Node's `require` condition loads it (node.cjs -> index.cjs): node:crypto where
// it can, the WebAssembly module for the rest.
export const api = createRequire(import.meta.url)(join(pkgDir, 'node.cjs'));
// The portable loader alone: everything in WebAssembly (what browsers and workers run).
export const wasmApi = createRequire(import.meta.url)(join(pkgDir, 'index.cjs'));
// Both paths, for the tests that must hold on each.
export const paths = [['node path', api], ['wasm path', wasmApi]];
export const rootDir = join(here, '..', '..', '..');

/** Parses the TOML subset of the vector files: comments, `key = value` with basic strings,
 * integers and booleans, and `[[array]]` tables. */
export function parseToml(text) {
  const root = {};
  let table = root;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const array = /^\[\[([A-Za-z0-9_]+)\]\]$/.exec(line);
    if (array) {
      table = {};
      (root[array[1]] ||= []).push(table);
      continue;
    }
    const pair = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (!pair) throw new Error(`unsupported TOML line: ${line}`);
    table[pair[1]] = parseValue(pair[2]);
  }
  return root;
}

function parseValue(text) {
  if (text.startsWith('"')) {
    const end = text.lastIndexOf('"');
    return JSON.parse(text.slice(0, end + 1));
  }
  if (text === 'true' || text === 'false') return text === 'true';
  const number = /^-?[0-9_]+/.exec(text);
  if (number) return Number(number[0].replaceAll('_', ''));
  throw new Error(`unsupported TOML value: ${text}`);
}

/** Every vector file of the repository with its parsed contents. */
export function vectors() {
  return readdirSync(vectorsDir)
    .filter((name) => name.endsWith('.toml'))
    .sort()
    .map((name) => ({ name, ...parseToml(readFileSync(join(vectorsDir, name), 'utf8')) }));
}

export function vectorFile(name) {
  return readFileSync(join(vectorsDir, name));
}
