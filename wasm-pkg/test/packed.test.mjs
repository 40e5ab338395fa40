// The package's rankQueue and explainPosition (js/packed.js) against the module's own JSON
// path (pkg/node/kezek_core.js): the same answers and the same errors for generated lists,
// the packed path taken for plain data and the JSON path for everything else.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../scripts/prng.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const kezek = require(path.join(here, '..', 'pkg', 'node', 'kezek.js'));
const core = require(path.join(here, '..', 'pkg', 'node', 'kezek_core.js'));

/** `fn()` as a comparable outcome: the answer, or the error's code and message. */
function outcome(fn) {
  try {
    return { ok: fn() };
  } catch (e) {
    return { code: e.code, message: e.message };
  }
}

/** Runs `fn` and counts the calls that reach the module's own (JSON path) function. */
function counting(name, fn) {
  const original = core[name];
  let calls = 0;
  core[name] = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    return { result: outcome(fn), calls };
  } finally {
    core[name] = original;
  }
}


// Ids chosen so that UTF-16 order (JavaScript's) and UTF-8 byte order (the rules') differ:
// U+FF5E sorts after a surrogate pair in UTF-16 and before it in UTF-8.
const IDS = ['a', 'B', 'é', 'e\u0301', 'Ә', '\uFF5E', '😀', '😀x', 'KOK-000001', 'AKK-000002', ''];
const INSTANTS = [
  '2026-01-10T10:00:00+05:00', '2026-01-10T05:00:00Z', '2026-01-10T05:00:00.000Z', '2026-01-10T05:00:00.5Z',
  '2025-12-31T23:59:60Z', '2026-01-09T23:30:00-05:30', '2026-03-01T00:00:00.123456789+05:00',
];

function randomList(random, size) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  return Array.from({ length: size }, (_, i) => ({
    id: `${pick(IDS)}${random() < 0.5 ? i : ''}`,
    district: pick(['KOK', 'AKK', 'kok', 'Көкшетау']),
    queueType: pick(['general', 'special', 'special_correctional', 'sanatorium']),
    birthDate: pick(['2021-01-01', '2021-06-30', '2022-02-28', '2024-02-29']),
    right: pick(['extraordinary', 'first', 'none', 'none']),
    registeredAt: pick(INSTANTS),
    status: pick(['queued', 'queued', 'queued', 'archived', 'voucher_issued']),
  }));
}

const plain = () => ({
  id: 'p1', district: 'KOK', queueType: 'general', birthDate: '2022-01-01', right: 'none',
  registeredAt: '2026-01-10T10:00:00+05:00', status: 'queued',
});

describe('rankQueue: packed path', () => {
  test('the same answers and errors as the JSON path for 2,000 generated lists', () => {
    const random = prng(20261124);
    let ranked = 0;
    for (let n = 0; n < 2000; n++) {
      const list = randomList(random, 1 + Math.floor(random() * 12));
      const packed = counting('rankQueue', () => kezek.rankQueue(list));
      assert.deepEqual(packed.result, outcome(() => core.rankQueue(list)), JSON.stringify(list));
      // Unique ids: nothing for the JSON path to do; a duplicate goes there for its error.
      const unique = new Set(list.map((e) => e.id)).size === list.length;
      assert.equal(packed.calls, unique ? 0 : 1, JSON.stringify(list));
      if (packed.result.ok) ranked += packed.result.ok.length;
    }
    assert.ok(ranked > 3000, `${ranked} ranked rows compared`);
  });

  test('fields in another order are still packed', () => {
    const list = [plain(), { status: 'queued', ...plain(), id: 'p2' }, Object.fromEntries(Object.entries(plain()).reverse())];
    list[2].id = 'p3';
    const packed = counting('rankQueue', () => kezek.rankQueue(list));
    assert.equal(packed.calls, 0);
    assert.deepEqual(packed.result, outcome(() => core.rankQueue(list)));
    assert.deepEqual(packed.result.ok.map((r) => r.position), [1, 2, 3]);
  });

  test('anything but plain data goes to the JSON path, with its answer or its exact error', () => {
    // Seven own keys, as plain data has, and a toJSON that JSON.stringify calls.
    const withToJson = Object.assign(Object.create({ toJSON: () => ({ ...plain(), id: 'from-json' }) }), plain());
    class Entry {
      constructor() { Object.assign(this, plain()); }
    }
    const inherited = Object.assign(Object.create({ id: 'proto' }), plain());
    delete inherited.id;
    inherited.extra = 'x';
    const cases = {
      'an extra key': [{ ...plain(), extra: 1 }],
      'a missing key': [(({ right, ...rest }) => rest)(plain())],
      'a number': [{ ...plain(), id: 5 }],
      'a String object': [{ ...plain(), id: new String('p') }],
      'undefined value': [{ ...plain(), right: undefined }],
      'a toJSON on an element': [withToJson],
      'a toJSON on the list': Object.assign([plain()], { toJSON: () => [] }),
      'an inherited field': [inherited],
      'an unpaired surrogate': [{ ...plain(), id: 'x\uD800' }],
      'a bad date': [{ ...plain(), birthDate: '2022-02-30' }],
      'a bad instant': [{ ...plain(), registeredAt: '2026-01-10T10:00:00' }],
      'a hole': [plain(), , { ...plain(), id: 'p2' }], // eslint-disable-line no-sparse-arrays
      'null': [null],
      'not a list': { 0: plain(), length: 1 },
      'a Set': new Set([plain()]),
    };
    for (const [name, list] of Object.entries(cases)) {
      const packed = counting('rankQueue', () => kezek.rankQueue(list));
      assert.equal(packed.calls, 1, name);
      assert.deepEqual(packed.result, outcome(() => core.rankQueue(list)), name);
    }
    // A toJSON is data to JSON: ranked, not refused.
    assert.equal(kezek.rankQueue([withToJson])[0].id, 'from-json');
    // A class instance's own fields are what JSON.stringify writes: packed as they are.
    const instance = counting('rankQueue', () => kezek.rankQueue([new Entry()]));
    assert.equal(instance.calls, 0);
    assert.deepEqual(instance.result, outcome(() => core.rankQueue([new Entry()])));
  });

  test('ties are broken by UTF-8 bytes, not by JavaScript string order', () => {
    const list = ['😀', '\uFF5E', 'z'].map((id) => ({ ...plain(), id }));
    assert.deepEqual(kezek.rankQueue(list).map((r) => r.id), ['z', '\uFF5E', '😀']);
    assert.deepEqual(counting('rankQueue', () => kezek.rankQueue(list)).calls, 0);
  });
});

describe('explainPosition: packed path', () => {
  test('the same answers and errors as the JSON path for 1,000 generated pairs of lists', () => {
    const random = prng(7);
    for (let n = 0; n < 1000; n++) {
      const before = randomList(random, 1 + Math.floor(random() * 10));
      const after = before
        .filter(() => random() < 0.8)
        .map((e) => (random() < 0.2 ? { ...e, status: random() < 0.5 ? 'queued' : 'archived' } : e))
        .concat(randomList(random, Math.floor(random() * 4)));
      const id = (random() < 0.8 ? before[Math.floor(random() * before.length)].id : 'nobody');
      const lang = [undefined, 'ru', 'kk', 'en', 'fr'][Math.floor(random() * 5)];
      const packed = counting('explainPosition', () => kezek.explainPosition(before, after, id, lang));
      assert.deepEqual(packed.result, outcome(() => core.explainPosition(before, after, id, lang)));
      // Plain data: even a duplicate id or a bad lang is answered on the packed path, by
      // the same code as on the JSON path.
      assert.equal(packed.calls, 0);
    }
  });

  test('a list that is not plain data goes to the JSON path', () => {
    const list = [plain()];
    const odd = [{ ...plain(), extra: true }];
    for (const [before, after] of [[odd, list], [list, odd], [null, list]]) {
      const packed = counting('explainPosition', () => kezek.explainPosition(before, after, 'p1', 'en'));
      assert.equal(packed.calls, 1);
      assert.deepEqual(packed.result, outcome(() => core.explainPosition(before, after, 'p1', 'en')));
    }
  });
});
