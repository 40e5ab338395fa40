// serve.mjs: 127.0.0.1 only, the two mounts, MIME types (application/wasm), no traversal.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { resolveRequestPath, MIME_TYPES } from '../serve.mjs';
import { startServe, loadRules, ROOT } from '../tools/test-support.mjs';

let server;

before(async () => {
  loadRules(); // a clear message when wasm-pkg/pkg is not built
  server = await startServe();
});
after(async () => server?.stop());

/** One request with the path sent exactly as given (no client-side normalisation). */
function request(rawPath, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request line written byte for byte on a socket (for paths http.request would reject). */
function rawRequest(line) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.end(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(Number(data.split(' ')[1])));
    socket.on('error', reject);
  });
}

test('serves the page, the i18n files and the demo with their MIME types', async () => {
  const cases = [
    ['/portal/', 'text/html; charset=utf-8'],
    ['/portal/index.html', 'text/html; charset=utf-8'],
    ['/portal/app.js', 'text/javascript; charset=utf-8'],
    ['/portal/style.css', 'text/css; charset=utf-8'],
    ['/portal/i18n/kk.json', 'application/json; charset=utf-8'],
    ['/portal/demo/snapshot-KOK.json', 'application/json; charset=utf-8'],
  ];
  for (const [url, type] of cases) {
    const res = await request(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['content-type'], type, url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
  }
});

test('serves the WASM package: application/wasm and a JavaScript module', async () => {
  const wasm = await request('/wasm-pkg/pkg/web/kezek_core_bg.wasm');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.deepEqual([...wasm.body.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'the WebAssembly magic number');
  const glue = await request('/wasm-pkg/pkg/web/kezek.js');
  assert.equal(glue.status, 200);
  assert.equal(glue.headers['content-type'], 'text/javascript; charset=utf-8');
  const head = await request('/wasm-pkg/pkg/web/kezek_core_bg.wasm', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(Number(head.headers['content-length']), wasm.body.length);
});

test('redirects / and the bare mount to /portal/', async () => {
  const root = await request('/');
  assert.equal(root.status, 302);
  assert.equal(root.headers.location, '/portal/');
  const withQuery = await request('/?lang=kk');
  assert.equal(withQuery.headers.location, '/portal/?lang=kk');
  const bare = await request('/portal');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.location, '/portal/');
});

test('refuses path traversal, encoded separators and files outside the two mounts', async () => {
  const refused = {
    '/portal/../Cargo.toml': 403,
    '/portal/../../etc/passwd': 403,
    '/wasm-pkg/pkg/../Cargo.toml': 403,
    '/wasm-pkg/pkg/../src/lib.rs': 403,
    '/portal/%2e%2e/Cargo.toml': 403,
    '/portal/%2E%2E/%2E%2E/etc/passwd': 403,
    '/portal/..%2fCargo.toml': 400,
    '/portal/%2e%2e%2fCargo.toml': 400,
    '/portal/..%5cCargo.toml': 400,
    '/portal/%00index.html': 400,
    '/portal/%zz': 400,
    '/Cargo.toml': 404,
    '/rules/src/lib.rs': 404,
    '/wasm-pkg/Cargo.toml': 404,
    '/wasm-pkg/src/lib.rs': 404,
    '/portal/node_modules/playwright-core/package.json': 404,
    '/portal/test/serve.test.mjs': 404,
    '/portal/.gitignore': 404,
    '/portal/no-such-file.js': 404,
  };
  for (const [url, status] of Object.entries(refused)) {
    const res = await request(url);
    assert.equal(res.status, status, url);
    assert.doesNotMatch(res.body.toString(), /\[workspace\]|root:x:0/, url);
  }
  assert.equal(await rawRequest('GET /portal/..\\..\\Cargo.toml HTTP/1.1'), 400);
  assert.equal(await rawRequest('GET /portal/./index.html HTTP/1.1'), 403);
});

test('answers only GET and HEAD', async () => {
  const res = await request('/portal/index.html', 'POST');
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'GET, HEAD');
});

test('listens on 127.0.0.1 only', async () => {
  const { networkInterfaces } = await import('node:os');
  const other = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!other) return; // no other interface to try
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: other.address, port: server.port, timeout: 2000 }, () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
      socket.on('timeout', () => reject(new Error('timeout')));
    }),
  );
});

test('resolveRequestPath keeps every file inside its mount', () => {
  const root = path.join(ROOT);
  assert.equal(resolveRequestPath('/portal/', root).file, path.join(root, 'portal', 'index.html'));
  assert.equal(resolveRequestPath('/portal/i18n/ru.json?x=1', root).file, path.join(root, 'portal', 'i18n', 'ru.json'));
  assert.equal(resolveRequestPath('/wasm-pkg/pkg/web/kezek.js', root).file, path.join(root, 'wasm-pkg', 'pkg', 'web', 'kezek.js'));
  assert.equal(resolveRequestPath('/portal/a%20b.json', root).file, path.join(root, 'portal', 'a b.json'));
  assert.equal(resolveRequestPath('/portal/../x', root).status, 403);
  assert.equal(resolveRequestPath('/portal//etc/passwd', root).status, 403);
  assert.equal(resolveRequestPath('/wasm-pkg/pkgx/a', root).status, 404);
  assert.equal(MIME_TYPES['.wasm'], 'application/wasm');
});
