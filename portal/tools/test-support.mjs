// Helpers of the portal's node:test suites (kept out of test/, where node --test would run
// every .mjs file as a test file). Chromium is launched as the end-to-end tests launch it
// (e2e/support.mjs), with the playwright-core of portal/node_modules.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SCREENSHOTS, launchChromium as launchWith } from '../../e2e/support.mjs';

export { ROOT, SCREENSHOTS };
export const PORTAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const NODE_PKG = path.join(ROOT, 'wasm-pkg', 'pkg', 'node', 'kezek.js');
const WEB_PKG = path.join(ROOT, 'wasm-pkg', 'pkg', 'web', 'kezek.js');

/** The rules' Node package, or a clear error telling how to build it. */
export function loadRules() {
  if (!existsSync(NODE_PKG) || !existsSync(WEB_PKG)) {
    throw new Error(`The rules' WASM package is not built (${path.relative(ROOT, path.dirname(path.dirname(NODE_PKG)))}): run \`just wasm\` or \`bash wasm-pkg/build.sh\` first.`);
  }
  return createRequire(import.meta.url)(NODE_PKG);
}

/** Launches Debian's Chromium through playwright-core (portal/'s); never downloads a browser. */
export function launchChromium() {
  return launchWith({ suite: "The portal's browser tests", folder: 'portal/', importPlaywright: () => import('playwright-core') });
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
