// Helpers of the portal's node:test suites (kept out of test/, where node --test would run
// every .mjs file as a test file).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PORTAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(PORTAL, '..');
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

const NODE_PKG = path.join(ROOT, 'wasm-pkg', 'pkg', 'node', 'kezek.js');
const WEB_PKG = path.join(ROOT, 'wasm-pkg', 'pkg', 'web', 'kezek.js');

/** The rules' Node package, or a clear error telling how to build it. */
export function loadRules() {
  if (!existsSync(NODE_PKG) || !existsSync(WEB_PKG)) {
    throw new Error(`The rules' WASM package is not built (${path.relative(ROOT, path.dirname(path.dirname(NODE_PKG)))}): run \`just wasm\` or \`bash wasm-pkg/build.sh\` first.`);
  }
  return createRequire(import.meta.url)(NODE_PKG);
}

/** Launches Debian's Chromium through playwright-core; never downloads a browser. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. The portal's browser tests need Debian's chromium package ` +
        '(`apt-get install chromium`; scripts/bootstrap.sh installs it). They never download a browser. ' +
        'Set KEZEK_CHROMIUM to use another Chromium binary.',
    );
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new Error(`playwright-core is not installed: run \`npm ci\` in portal/ (${e.message})`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Starts `node serve.mjs 0` and resolves to { url, stop } once it listens. */
export function startServe() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PORTAL, 'serve.mjs'), '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve.mjs did not start in 10 s: ${out}${err}`));
    }, 10_000);
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}: ${err}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const match = out.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))\/portal\//);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        origin: match[1],
        port: Number(match[2]),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
