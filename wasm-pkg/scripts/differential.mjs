// Differential test, WebAssembly half: replays the cases that the native generators
// (tests/differential.rs, tests/differential_portal.rs) wrote, through pkg/node, and
// requires JSON.stringify of every answer to equal the native answer byte for byte.
//
//   node scripts/differential.mjs CASES.jsonl [MORE.jsonl …]
//
// An answer is {"ok": value} or {"error": {"code"}}; a rejection by the rules (an error
// with `detail`) also carries its message and detail, as on the native side.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const kezek = require(path.join(here, '..', 'pkg', 'node', 'kezek.js'));

const MIN_CASES = 10_000;

function answer(fn, args) {
  try {
    return JSON.stringify({ ok: kezek[fn](...args) });
  } catch (e) {
    if (!(e instanceof Error) || typeof e.code !== 'string') {
      return JSON.stringify({ crash: String(e && e.stack || e) });
    }
    const error = { code: e.code };
    if (e.detail !== undefined) {
      error.message = e.message;
      error.detail = e.detail;
    }
    return JSON.stringify({ error });
  }
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node scripts/differential.mjs CASES.jsonl [MORE.jsonl …]');
  process.exit(2);
}
let passed = 0;
let failed = 0;
const byFunction = new Map();
for (const file of files) {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const c = JSON.parse(line);
    if (typeof kezek[c.fn] !== 'function') throw new Error(`${file}, case ${c.n}: no export ${c.fn}`);
    const got = answer(c.fn, c.args);
    byFunction.set(c.fn, (byFunction.get(c.fn) ?? 0) + 1);
    if (got === c.expect) {
      passed++;
    } else {
      failed++;
      if (failed <= 10) {
        console.error(`${path.basename(file)}, case ${c.n}: ${c.fn}(${JSON.stringify(c.args).slice(0, 400)})`);
        console.error(`  native: ${c.expect.slice(0, 600)}`);
        console.error(`  wasm:   ${got.slice(0, 600)}`);
      }
    }
  }
}
for (const [fn, count] of [...byFunction].sort()) console.log(`  ${fn}: ${count}`);
const total = passed + failed;
if (total < MIN_CASES) {
  console.error(`only ${total} cases; the generator must write at least ${MIN_CASES}`);
  failed++;
}
console.log(`differential: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
