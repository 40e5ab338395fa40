#!/usr/bin/env node
// A dependency-free static server for the parents' portal, bound to 127.0.0.1.
//
//   node portal/serve.mjs [PORT]      (default 8080; 0 picks a free port)
//
// Serves only two trees of the repository: /portal/… (the page) and /wasm-pkg/pkg/… (the
// rules compiled to WebAssembly). Everything else is 404; `..`, encoded slashes or
// backslashes, NUL bytes and symlinks leading out of those trees are refused. `/` redirects
// to `/portal/`. Prints one line `listening on http://127.0.0.1:PORT/portal/` when ready.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');

/** URL prefix → directory (relative to the repository root). */
const MOUNTS = [
  ['/portal/', 'portal'],
  ['/wasm-pkg/pkg/', path.join('wasm-pkg', 'pkg')],
];

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Path segments never served even inside a mount (dependencies, tests, dot-files). */
const HIDDEN_SEGMENTS = new Set(['node_modules', 'test']);

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function send(res, status, text, extra = {}) {
  const body = Buffer.from(text + '\n', 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Maps a request path to a file path inside one mount, or returns an HTTP status (400, 403,
 * 404) when it must be refused. Pure (no file system access), so it is unit-tested directly.
 */
export function resolveRequestPath(rawPath, root = REPO_ROOT) {
  const pathname = rawPath.split('?')[0].split('#')[0];
  if (pathname.includes('\\') || pathname.includes('\0')) return { status: 400 };
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400 };
  }
  // An encoded slash, backslash or NUL could smuggle a separator past the segment check.
  if (decoded.includes('\\') || decoded.includes('\0') || /%2f|%5c|%00/i.test(pathname)) return { status: 400 };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { status: 403 };
  if (segments.some((s) => s.startsWith('.') || HIDDEN_SEGMENTS.has(s))) return { status: 404 };
  for (const [prefix, dir] of MOUNTS) {
    if (decoded === prefix.slice(0, -1)) return { redirect: prefix };
    if (!decoded.startsWith(prefix)) continue;
    const base = path.resolve(root, dir);
    let rest = decoded.slice(prefix.length);
    if (rest === '' || rest.endsWith('/')) rest += 'index.html';
    const file = path.resolve(base, rest);
    if (file !== base && !file.startsWith(base + path.sep)) return { status: 403 };
    return { file, base };
  }
  return { status: 404 };
}

async function handle(req, res, root) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  }
  if (req.url === '/' || req.url.startsWith('/?')) {
    return send(res, 302, 'see /portal/', { Location: '/portal/' + (req.url.slice(1) || '') });
  }
  const target = resolveRequestPath(req.url, root);
  if (target.redirect) return send(res, 301, `see ${target.redirect}`, { Location: target.redirect });
  if (target.status) {
    const text = { 400: 'bad request', 403: 'forbidden', 404: 'not found' }[target.status];
    return send(res, target.status, text);
  }
  let real;
  let info;
  try {
    real = await realpath(target.file);
    const realBase = await realpath(target.base);
    // A symlink inside a mount must not lead out of it.
    if (real !== realBase && !real.startsWith(realBase + path.sep)) return send(res, 403, 'forbidden');
    info = await stat(real);
  } catch {
    return send(res, 404, 'not found');
  }
  if (info.isDirectory()) {
    const location = req.url.split('?')[0] + '/';
    return send(res, 301, `see ${location}`, { Location: location });
  }
  if (!info.isFile()) return send(res, 404, 'not found');
  const type = MIME_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'Last-Modified': info.mtime.toUTCString(),
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Starts the server on 127.0.0.1; resolves to the node:http server once it listens. */
export function startServer({ port = 8080, root = REPO_ROOT } = {}) {
  const server = createServer((req, res) => {
    handle(req, res, root).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function parsePort(arg) {
  if (arg === undefined) return 8080;
  if (!/^\d{1,5}$/.test(arg) || Number(arg) > 65535) {
    console.error(`usage: node serve.mjs [PORT]   (PORT 0..65535, got ${JSON.stringify(arg)})`);
    process.exit(2);
  }
  return Number(arg);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = parsePort(process.argv[2]);
  try {
    const server = await startServer({ port });
    const { port: actual } = server.address();
    console.log(`listening on http://127.0.0.1:${actual}/portal/`);
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    console.error(`cannot listen on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  }
}
