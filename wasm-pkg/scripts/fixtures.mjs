// Test data and helpers shared by the package's node:test suites (test/*.test.mjs): the
// Node package, valid IINs, a new application and its registration, a kindergarten
// directory, the center's actions folded as the center folds them, rank entries, and the
// check of a thrown error. Kept out of test/, where `node --test` runs every file.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CENTER_ACTIONS, atCenter } from './center.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const kezek = createRequire(import.meta.url)(path.join(here, '..', 'pkg', 'node', 'kezek.js'));

/** The 12th digit of an IIN for its first 11, or null when none exists. */
export function checkDigit(prefix) {
  const d = [...prefix].map(Number);
  const sum = (w) => d.reduce((s, x, i) => s + x * w[i], 0) % 11;
  const first = sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (first !== 10) return first;
  const second = sum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  return second === 10 ? null : second;
}
export const iin = (prefix) => `${prefix}${checkDigit(prefix)}`;
export const CHILD = iin('22071450012'); // 2022-07-14, male
export const PARENT = iin('88022940012'); // 1988-02-29, female

/** Runs `fn`, requires a thrown Error with `code`, returns it. */
export function throws(fn, code) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `an Error: ${e}`);
    assert.equal(typeof e.code, 'string');
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0);
    if (code) assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code ?? 'an error'}`);
}

export const newApplication = (id, extra = {}) => ({
  id,
  district: 'KOK',
  queueType: 'general',
  childIin: CHILD,
  childName: 'Иванова Анна',
  birthDate: '2022-07-14',
  applicant: { iin: PARENT, name: 'Иванова Мария', kinship: 'mother', phone: '+7 701 000 00 00' },
  residence: { kind: 'permanent', address: 'г. Кокшетау' },
  right: 'none',
  ...extra,
});

export function register(id, now = '2026-03-02T10:00:00+05:00', extra = {}) {
  return kezek.apply(null, { type: 'register', application: newApplication(id, extra) }, now).application;
}

/** The kindergarten directory of the tests (as a snapshot's `kindergartens`). */
export const DIRECTORY = ['KG-KOK-01', 'KG-KOK-02'].map((id) => ({
  id, district: 'KOK', queueType: 'general', name: { ru: id, kk: id }, ownership: 'state', address: 'г. Кокшетау',
  phone: '+7 7162 000000', languages: ['kk', 'ru'],
}));

// The center's actions (CENTER_ONLY in `apply`) are folded as the center's rules fold them.
export const act = (app, command, now, options) =>
  CENTER_ACTIONS.has(command.type) ? atCenter(kezek, app, command, now) : kezek.apply(app, command, now, options).application;

export const entry = (id, right, minute, status = 'queued', extra = {}) => ({
  id,
  district: 'KOK',
  queueType: 'general',
  birthDate: '2022-05-01',
  right,
  registeredAt: `2026-01-10T10:${String(minute).padStart(2, '0')}:00+05:00`,
  status,
  ...extra,
});
