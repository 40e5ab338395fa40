// Helpers of the end-to-end browser tests (kept out of the *.test.mjs files, which
// `node --test e2e/` runs): the real binaries, a real `kezek-center serve`, and Debian's
// Chromium driven by playwright-core (never a downloaded browser). The portal's own
// browser tests launch Chromium with this module too (portal/tools/test-support.mjs).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(E2E, '..');
export const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
export const CHROMIUM = process.env.KEZEK_CHROMIUM || '/usr/bin/chromium';

/** Flags for Debian's Chromium in a container: no sandbox, no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Debian's Chromium through playwright-core; never downloads a browser. A suite of
 * another folder passes its name, its folder and its own import of playwright-core: each
 * suite's recipe installs playwright-core in its own folder (`just test-portal` in portal/,
 * the end-to-end recipes in e2e/), and an import resolves from the file that writes it.
 */
export async function launchChromium({
  suite = "The console's browser tests",
  folder = 'e2e/',
  importPlaywright = () => import('playwright-core'),
} = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. ${suite} need Debian's chromium package ` +
        '(`apt-get install chromium`; scripts/bootstrap.sh installs it). They never download a browser. ' +
        'Set KEZEK_CHROMIUM to use another Chromium binary.',
    );
  }
  let chromium;
  try {
    ({ chromium } = await importPlaywright());
  } catch (e) {
    throw new Error(`playwright-core is not installed: run \`npm ci\` in ${folder} (${e.message})`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A debug binary of the workspace (`KEZEK_CENTER_BIN` / `KEZEK_KIOSK_BIN` override it). */
export function binary(name) {
  const override = process.env[`KEZEK_${name.replace('kezek-', '').toUpperCase()}_BIN`];
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const file = override || path.join(target, 'debug', name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: build it first (\`cargo build -p kezek-center -p kezek-kiosk --bin kezek-center --bin kezek-kiosk\`, or \`just test-console\`).`);
  }
  return file;
}

/** Runs a binary to the end; throws with its output when it fails (unless `allowFailure`). */
export function run(bin, args, { env = {}, input, allowFailure = false } = {}) {
  const result = spawnSync(bin, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, KEZEK_INSECURE_FAST_HASH: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`${path.basename(bin)} ${args.join(' ')} exited with ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result;
}

/** Runs a binary and parses its standard output as JSON. */
export function runJson(bin, args, options) {
  const result = run(bin, args, options);
  try {
    return JSON.parse(result.stdout);
  } catch (e) {
    throw new Error(`${path.basename(bin)} ${args.join(' ')}: stdout is not JSON (${e.message}): ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/**
 * Starts `kezek-center --data DIR serve --listen 127.0.0.1:0 [EXTRA…]` and resolves to
 * { url, stop } once it prints "kezek-center listening on http://…".
 */
export function startCenter(data, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary('kezek-center'), ['--data', data, 'serve', '--listen', '127.0.0.1:0', ...extra], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kezek-center serve did not start in 30 s: ${err}`));
    }, 30_000);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`kezek-center serve exited with ${code}: ${err}`));
    };
    child.on('exit', onExit);
    child.stderr.on('data', (d) => {
      err += d;
      const match = err.match(/kezek-center listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        url: match[1],
        log: () => err,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
