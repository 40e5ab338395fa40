// The demo snapshots and the translations: up to date, the center's shape, complete.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PORTAL, ROOT, loadRules } from '../tools/test-support.mjs';

const readJson = (...parts) => JSON.parse(readFileSync(path.join(PORTAL, ...parts), 'utf8'));
const entries = (apps) =>
  apps.map((a) => ({ id: a.id, district: a.district, queueType: a.queueType, birthDate: a.child.birthDate, right: a.right, registeredAt: a.registeredAt, status: a.status }));

test('the demo files are what tools/make-demo-snapshot.mjs builds from data/ with the current rules', () => {
  loadRules();
  const out = execFileSync(process.execPath, [path.join(PORTAL, 'tools', 'make-demo-snapshot.mjs'), '--check'], { encoding: 'utf8' });
  assert.match(out, /up to date/);
});

test("the demo snapshot has the center's Snapshot shape (changelog/src/sync.rs)", () => {
  const rules = loadRules();
  const snapshot = readJson('demo', 'snapshot-KOK.json');
  assert.deepEqual(Object.keys(snapshot), [
    'format',
    'district',
    'generatedAt',
    'calendarVersion',
    'applications',
    'positions',
    'places',
    'freePlaces',
    'kindergartens',
  ]);
  // Keep in step with the Rust struct when it changes.
  const sync = readFileSync(path.join(ROOT, 'changelog', 'src', 'sync.rs'), 'utf8');
  const struct = sync.slice(sync.indexOf('pub struct Snapshot'));
  for (const field of ['format', 'district', 'generated_at', 'calendar_version', 'applications', 'positions', 'places', 'free_places', 'kindergartens']) {
    assert.match(struct.slice(0, struct.indexOf('\n}')), new RegExp(`pub ${field}:`), field);
  }
  assert.equal(snapshot.format, 1);
  assert.equal(snapshot.district, 'KOK');
  assert.equal(snapshot.calendarVersion, rules.calendarInfo().version);
  const ids = snapshot.applications.map((a) => a.id);
  const sorted = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  assert.deepEqual(ids, sorted, 'applications ordered by id (bytewise)');
  assert.deepEqual(snapshot.positions, rules.rankQueue(entries(snapshot.applications)));
  for (const a of snapshot.applications) {
    // Every application is one the rules accept.
    rules.allowedActions(a, snapshot.generatedAt);
    assert.equal(a.district, 'KOK');
  }
  for (const p of snapshot.freePlaces) assert.deepEqual(Object.keys(p), ['kindergarten', 'language', 'groupYear', 'free']);
  assert.ok(snapshot.kindergartens.every((k) => k.district === 'KOK'));
});

test('the demo tells the story the page shows: every status a parent meets', () => {
  const rules = loadRules();
  const manifest = readJson('demo', 'index.json');
  const [previousFile, currentFile] = manifest.snapshots;
  const previous = readJson('demo', previousFile);
  const current = readJson('demo', currentFile);
  assert.ok(Date.parse(previous.generatedAt) < Date.parse(current.generatedAt));
  const statuses = manifest.children.map((c) => c.status);
  for (const s of ['voucher_issued', 'voucher_confirmed', 'stop_listed', 'queued', 'direction_issued', 'enrolled', 'archived']) {
    assert.ok(statuses.includes(s), s);
  }
  for (const child of manifest.children) {
    const app = current.applications.find((a) => a.id === child.application);
    assert.equal(app.child.iin, child.iin);
    assert.equal(app.status, child.status);
    assert.equal(rules.validateIin(child.iin).valid, true);
  }
  const issued = current.applications.find((a) => a.id === manifest.children[0].application);
  assert.equal(issued.voucher.confirmDeadline, '2026-11-25T23:59:59+05:00');
  const queued = manifest.children.find((c) => c.status === 'queued');
  const change = rules.explainPosition(entries(previous.applications), entries(current.applications), queued.application, 'en');
  assert.equal(change.after, change.before + 1, 'a first-priority child moved the featured child back by one');
  assert.equal(change.enteredAhead[0].reason.kind, 'newApplication');
  assert.equal(change.enteredAhead[0].right, 'first');
});

test('the reference copies in portal/data are those of data/', () => {
  for (const file of ['districts.json', 'categories.json']) {
    assert.equal(readFileSync(path.join(PORTAL, 'data', file), 'utf8'), readFileSync(path.join(ROOT, 'data', file), 'utf8'), file);
  }
});

test('ru, kk and en have the same keys, no empty text and every key the page uses', () => {
  const dicts = Object.fromEntries(['ru', 'kk', 'en'].map((l) => [l, readJson('i18n', `${l}.json`)]));
  const keys = Object.keys(dicts.ru).sort();
  for (const [lang, dict] of Object.entries(dicts)) {
    assert.deepEqual(Object.keys(dict).sort(), keys, lang);
    for (const [key, text] of Object.entries(dict)) {
      assert.equal(typeof text, 'string', `${lang}:${key}`);
      assert.ok(text.trim(), `${lang}:${key} is empty`);
      // Same placeholders in every language.
      const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(names(text), names(dicts.ru[key]), `${lang}:${key} placeholders`);
    }
  }
  const html = readFileSync(path.join(PORTAL, 'index.html'), 'utf8');
  // app.js, demo mode's modules (offline/*.js) and connected mode's (connected/*.js).
  const modules = (dir) => readdirSync(path.join(PORTAL, dir)).filter((f) => f.endsWith('.js')).map((f) => path.join(PORTAL, dir, f));
  const js = [path.join(PORTAL, 'app.js'), ...modules('offline'), ...modules('connected')]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const used = [
    ...[...html.matchAll(/data-i18n="([\w.]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/data-i18n-attr="[\w-]+:([\w.]+)"/g)].map((m) => m[1]),
    ...[...js.matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1]),
  ];
  for (const key of used) assert.ok(key in dicts.ru, `missing key ${key}`);
  const enums = {
    status: ['queued', 'voucher_issued', 'voucher_confirmed', 'stop_listed', 'direction_issued', 'refusal_review', 'enrolled', 'departed', 'archived'],
    archive: ['voucher_refused', 'restore_expired', 'choice_expired', 'withdrawn', 'aged_out'],
    queueType: ['general', 'special_correctional', 'special', 'sanatorium'],
    right: ['extraordinary', 'first', 'none'],
    language: ['kk', 'ru', 'en'],
    role: ['operator', 'kindergarten', 'reviewer', 'center', 'admin'],
    year: ['official', 'provisional', 'estimated'],
    event: [
      'registered', 'placesAdded', 'placesPublished', 'voucherIssued', 'voucherConfirmed', 'stopListed', 'voucherRestored',
      'choiceExtended', 'directionIssued', 'childEnrolled', 'childRefused', 'refusalUpheld', 'refusalOverruled', 'childDeparted', 'archived',
    ],
    deadline: ['confirmVoucher', 'chooseKindergarten', 'extendChoice', 'restoreVoucher'],
    // The rule behind the deadline an application waits on, by the deadline's kind.
    rules: ['confirm', 'choose', 'restore'],
    'iin.error': ['IIN_FORMAT', 'IIN_DATE', 'IIN_CHECKSUM'],
    'c.action': ['confirmVoucher', 'restoreVoucher', 'extendChoice', 'chooseKindergarten', 'refuseVoucher', 'withdraw'],
    'c.kinship': ['mother', 'father', 'guardian', 'grandparent', 'other'],
    'c.residence': ['permanent', 'temporary'],
    'c.nav': ['applications', 'children', 'register'],
  };
  for (const [prefix, values] of Object.entries(enums)) {
    for (const v of values) assert.ok(`${prefix}.${v}` in dicts.ru, `missing key ${prefix}.${v}`);
  }
});

test("the seed's wording for the statuses and the voucher rules", () => {
  const ru = readJson('i18n', 'ru.json');
  assert.equal(ru['status.queued'], 'В очереди');
  assert.equal(ru['status.voucher_issued'], 'Выдан ваучер');
  assert.equal(ru['status.archived'], 'В архиве');
  assert.match(ru['rules.confirm'], /2 рабочих дней.*стоп-лист/);
  assert.match(ru['rules.choose'], /5 рабочих дней/);
  assert.match(ru['rules.restore'], /28 календарных дней/);
});
