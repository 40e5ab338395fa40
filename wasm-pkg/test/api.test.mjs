// The npm package (pkg/node, CommonJS) as a portal developer uses it: every export, every
// error code, the exact shapes of the answers. Run `bash build.sh` first, then
//   node --test test/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkg = require(path.join(here, '..', 'package.json'));
import { CHILD, DIRECTORY, PARENT, act, entry, iin, kezek, newApplication, register, throws } from '../scripts/fixtures.mjs';

// ---- exports --------------------------------------------------------------------------

test('the package exports exactly the documented functions', () => {
  const names = Object.keys(kezek).filter((k) => typeof kezek[k] === 'function' && !k.startsWith('__')).sort();
  assert.deepEqual(names, [
    'actionInfo', 'allowedActions', 'applicationInfo', 'apply', 'calendarInfo', 'daysLeft', 'deadline', 'explainPosition',
    'isWorkingDay', 'kindergartenChoices', 'pendingDeadline', 'queuePlace', 'rankQueue', 'validateIin', 'version',
    'workingDaysAfter',
  ]);
});

test('version() is the package version', () => {
  assert.equal(kezek.version(), pkg.version);
});

test('calendarInfo() lists the years with status and working days', () => {
  const info = kezek.calendarInfo();
  assert.deepEqual(Object.keys(info), ['version', 'years']);
  assert.match(info.version, /\S/);
  const y2026 = info.years.find((y) => y.year === 2026);
  assert.deepEqual(Object.keys(y2026), ['year', 'status', 'workingDays', 'source']);
  assert.equal(y2026.status, 'official');
  assert.equal(y2026.workingDays, 247);
  for (const y of info.years) assert.ok(['official', 'provisional'].includes(y.status));
  // 2025–2030, consecutive; the years without a decree are provisional.
  assert.deepEqual(info.years.map((y) => [y.year, y.status]), [
    [2025, 'official'], [2026, 'official'], [2027, 'provisional'], [2028, 'provisional'], [2029, 'provisional'], [2030, 'provisional'],
  ]);
});

// ---- validateIin ----------------------------------------------------------------------

describe('validateIin', () => {
  test('a valid IIN gives the encoded birth date and sex', () => {
    assert.deepEqual(kezek.validateIin(CHILD), { valid: true, birthDate: '2022-07-14', sex: 'male' });
    assert.deepEqual(kezek.validateIin(PARENT), { valid: true, birthDate: '1988-02-29', sex: 'female' });
    assert.deepEqual(Object.keys(kezek.validateIin(CHILD)), ['valid', 'birthDate', 'sex']);
  });

  test('IIN_FORMAT, IIN_DATE, IIN_CHECKSUM are answers, checked in that order, without trimming', () => {
    const wrongCheck = CHILD.slice(0, 11) + ((Number(CHILD[11]) + 1) % 10);
    const cases = [
      ['', 'IIN_FORMAT'],
      ['12345', 'IIN_FORMAT'],
      [` ${CHILD.slice(0, 11)}`, 'IIN_FORMAT'],
      [`${CHILD} `, 'IIN_FORMAT'],
      ['１２３４５６７８９０１２', 'IIN_FORMAT'],
      ['22130150012x', 'IIN_FORMAT'],
      ['221301500123', 'IIN_DATE'], // month 13
      ['230229500123', 'IIN_DATE'], // 29 Feb 2023
      ['000229300123', 'IIN_DATE'], // 29 Feb 1900
      ['220714700123', 'IIN_DATE'], // century digit 7
      [wrongCheck, 'IIN_CHECKSUM'],
    ];
    for (const [text, code] of cases) {
      const result = kezek.validateIin(text);
      assert.equal(result.valid, false, text);
      assert.deepEqual(Object.keys(result), ['valid', 'error']);
      assert.deepEqual(Object.keys(result.error), ['code', 'message']);
      assert.equal(result.error.code, code, text);
    }
    assert.equal(kezek.validateIin(iin('00022950012')).valid, true, '29 Feb 2000 exists');
  });

  test('messages in Russian (default), Kazakh and English', () => {
    assert.match(kezek.validateIin('1').error.message, /ровно из 12 цифр/);
    assert.match(kezek.validateIin('1', 'ru').error.message, /ровно из 12 цифр/);
    assert.match(kezek.validateIin('1', 'kk').error.message, /12 цифрдан/);
    assert.match(kezek.validateIin('1', 'en').error.message, /exactly 12 digits/);
  });

  test('INVALID_ARGUMENT for a non-string or an unknown language', () => {
    for (const value of [220714500123, null, undefined, ['x'], {}, true, Symbol('x'), 1n]) {
      throws(() => kezek.validateIin(value), 'INVALID_ARGUMENT');
    }
    throws(() => kezek.validateIin(CHILD, 'de'), 'INVALID_ARGUMENT');
    throws(() => kezek.validateIin(CHILD, 1), 'INVALID_ARGUMENT');
  });
});

// ---- calendar -------------------------------------------------------------------------

describe('isWorkingDay / workingDaysAfter / deadline', () => {
  test('isWorkingDay follows the 2026 calendar', () => {
    const table = {
      '2026-01-01': false, '2026-01-05': true, '2026-01-07': false, '2026-03-09': false, '2026-03-20': true,
      '2026-03-21': false, '2026-03-23': false, '2026-03-24': false, '2026-03-25': false, '2026-03-26': true,
      '2026-05-11': false, '2026-05-27': false, '2026-12-16': false, '2026-12-31': true,
      // No Constitution Day in 2026 (it moved to 15 March from 2027).
      '2026-08-31': true, '2027-03-15': false, '2027-08-30': true,
    };
    for (const [day, working] of Object.entries(table)) assert.equal(kezek.isWorkingDay(day), working, day);
  });

  test('CALENDAR_OUT_OF_RANGE outside the calendar years, never an estimate', () => {
    for (const day of ['2024-12-31', '2031-01-01', '0001-01-01', '9999-12-31']) {
      const e = throws(() => kezek.isWorkingDay(day), 'CALENDAR_OUT_OF_RANGE');
      assert.match(e.message, /2025–2030/);
    }
    throws(() => kezek.workingDaysAfter('2030-12-30', 2), 'CALENDAR_OUT_OF_RANGE');
    throws(() => kezek.workingDaysAfter('2026-01-01', 100000), 'CALENDAR_OUT_OF_RANGE');
    assert.equal(kezek.workingDaysAfter('2030-12-30', 1), '2030-12-31');
    throws(() => kezek.deadline('confirm', '2030-12-30T10:00:00+05:00'), 'CALENDAR_OUT_OF_RANGE');
    throws(() => kezek.deadline('choose', '2031-02-02T10:00:00+05:00'), 'CALENDAR_OUT_OF_RANGE');
    throws(() => kezek.deadline('confirm', '9999-12-31T12:00:00Z'), 'CALENDAR_OUT_OF_RANGE');
    // restore counts calendar days and needs no calendar data.
    assert.equal(kezek.deadline('restore', '2031-02-02T23:59:59+05:00').at, '2031-03-02T23:59:59+05:00');
  });

  test('deadline(...).provisional: counted over or ending on a provisional year', () => {
    assert.deepEqual(kezek.deadline('confirm', '2026-12-29T10:00:00+05:00'), { at: '2026-12-31T23:59:59+05:00', provisional: false });
    // Wed 30 Dec 2026: Thu 31 Dec, then Tue 5 Jan 2027 (1, 4 and 7 Jan are off); 2027 has no decree yet.
    assert.deepEqual(kezek.deadline('confirm', '2026-12-30T10:00:00+05:00'), { at: '2027-01-05T23:59:59+05:00', provisional: true });
    assert.equal(kezek.deadline('choose', '2026-12-24T10:00:00+05:00').provisional, false);
    assert.equal(kezek.deadline('choose', '2026-12-28T10:00:00+05:00').provisional, true);
    assert.equal(kezek.deadline('choose', '2028-06-01T10:00:00+05:00').provisional, true);
    assert.equal(kezek.deadline('restore', '2027-06-01T23:59:59+05:00').provisional, false);
  });

  test('INVALID_DATE for anything but YYYY-MM-DD', () => {
    for (const bad of ['2026-3-24', '2026-02-30', ' 2026-03-24', '2026-03-24 ', '2026/03/24', '20260324',
      '2026-03-24T00:00:00Z', '+2026-03-24', '', 20260324, null, undefined, new Date(), ['2026-03-24']]) {
      throws(() => kezek.isWorkingDay(bad), 'INVALID_DATE');
    }
    const e = throws(() => kezek.workingDaysAfter('2026-13-01', 1), 'INVALID_DATE');
    assert.match(e.message, /ГГГГ-ММ-ДД/);
  });

  test('workingDaysAfter counts strictly after the date', () => {
    assert.equal(kezek.workingDaysAfter('2026-03-20', 1), '2026-03-26');
    assert.equal(kezek.workingDaysAfter('2026-03-20', 2), '2026-03-27');
    assert.equal(kezek.workingDaysAfter('2026-12-31', 1), '2027-01-05');
    assert.equal(kezek.workingDaysAfter('2026-05-06', 2.0), '2026-05-12');
    assert.equal(kezek.workingDaysAfter('2026-08-28', 1), '2026-08-31');
  });

  test('workingDaysAfter: INVALID_ARGUMENT for n that is not an integer from 1 to 100000', () => {
    for (const n of [0, -1, 2.5, NaN, Infinity, -Infinity, 100001, 1e21, '3', null, undefined, 3n, [3], true]) {
      throws(() => kezek.workingDaysAfter('2026-03-20', n), 'INVALID_ARGUMENT');
    }
  });

  test('deadline of each kind ends at 23:59:59+05:00', () => {
    assert.deepEqual(kezek.deadline('confirm', '2026-03-19T10:00:00+05:00'), { at: '2026-03-26T23:59:59+05:00', provisional: false });
    assert.deepEqual(Object.keys(kezek.deadline('restore', '2026-02-25T23:59:59+05:00')), ['at', 'provisional']);
    assert.equal(kezek.deadline('confirm', '2026-03-06T20:00:00Z').at, '2026-03-11T23:59:59+05:00');
    // Thursday 23:59:59.999999999 local: Fri 6, Tue 10 (Mon 9 is 8 March moved); a nanosecond later it is Friday.
    assert.equal(kezek.deadline('confirm', '2026-03-05T18:59:59.999999999Z').at, '2026-03-10T23:59:59+05:00');
    assert.equal(kezek.deadline('confirm', '2026-03-05T19:00:00Z').at, '2026-03-11T23:59:59+05:00');
    assert.equal(kezek.deadline('choose', '2026-05-05T09:00:00.5+05:00').at, '2026-05-14T23:59:59+05:00');
    assert.equal(kezek.deadline('choose', '2026-05-04T23:30:00-05:00').at, '2026-05-14T23:59:59+05:00');
    // Monday 31 August 2026 is a working day (no Constitution Day in 2026).
    assert.equal(kezek.deadline('confirm', '2026-08-27T10:00:00+05:00').at, '2026-08-31T23:59:59+05:00');
    // restore: 28 calendar days after the local (+05:00) date of `from`; no roll-forward.
    assert.equal(kezek.deadline('restore', '2026-02-25T23:59:59+05:00').at, '2026-03-25T23:59:59+05:00');
    assert.equal(kezek.deadline('restore', '2026-02-25T19:00:00Z').at, '2026-03-26T23:59:59+05:00');
  });

  test('deadline: INVALID_KIND, then INVALID_INSTANT', () => {
    for (const kind of ['extend', 'Confirm', '', null, undefined, 1, ['confirm']]) {
      throws(() => kezek.deadline(kind, 'not even an instant'), 'INVALID_KIND');
    }
    for (const from of ['2026-03-19T10:00Z', '2026-03-19T10:00:00', '2026-03-19 10:00:00Z', '2026-03-19T10:00:00+0500',
      '2026-03-19T10:00:00.Z', '2026-03-19T10:00:00.1234567890Z', '2026-03-19t10:00:00z', '2026-03-19T24:00:00Z',
      '2026-03-19', '', null, undefined, 1700000000000, new Date()]) {
      throws(() => kezek.deadline('confirm', from), 'INVALID_INSTANT');
    }
    const e = throws(() => kezek.deadline('choose', 'x'), 'INVALID_INSTANT');
    assert.match(e.message, /RFC 3339/);
  });
});

// ---- rankQueue / explainPosition ------------------------------------------------------

describe('rankQueue', () => {
  test('extraordinary first, then F,G,G,G; only status "queued" is ranked', () => {
    const ranked = kezek.rankQueue([
      entry('g1', 'none', 1), entry('g2', 'none', 2), entry('f1', 'first', 3), entry('g3', 'none', 4),
      entry('g4', 'none', 5), entry('f2', 'first', 6), entry('e1', 'extraordinary', 7), entry('f3', 'first', 8),
      entry('x1', 'extraordinary', 0, 'voucher_issued'), entry('x2', 'none', 0, 'Queued'), entry('x3', 'none', 0, 'queued '),
    ]);
    assert.deepEqual(ranked.map((r) => r.id), ['e1', 'f1', 'g1', 'g2', 'g3', 'f2', 'g4', 'f3']);
    assert.deepEqual(ranked.map((r) => r.position), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(ranked[0], { id: 'e1', district: 'KOK', queueType: 'general', groupYear: 2022, position: 1 });
    assert.deepEqual(Object.keys(ranked[0]), ['id', 'district', 'queueType', 'groupYear', 'position']);
  });

  test('sorted by district, queue type (bytewise), group year, position; ties by id bytewise across offsets', () => {
    const at = (id, district, queueType, birthDate, registeredAt) =>
      ({ id, district, queueType, birthDate, right: 'none', registeredAt, status: 'queued' });
    const ranked = kezek.rankQueue([
      at('b', 'KOK', 'special', '2021-01-01', '2026-01-10T10:00:00+05:00'),
      at('a', 'KOK', 'special', '2021-06-01', '2026-01-10T05:00:00Z'),
      at('B', 'KOK', 'special', '2021-06-01', '2026-01-10T05:00:00.000000001Z'),
      at('c', 'KOK', 'special_correctional', '2021-01-01', '2026-01-01T00:00:00Z'),
      at('d', 'AKK', 'sanatorium', '2023-01-01', '2026-01-01T00:00:00Z'),
      at('e', 'KOK', 'general', '2020-01-01', '2026-01-01T00:00:00Z'),
      at('f', 'KOK', 'general', '2019-01-01', '2026-01-01T00:00:00Z'),
    ]);
    assert.deepEqual(ranked.map((r) => `${r.id}${r.position}`), ['d1', 'f1', 'e1', 'a1', 'b2', 'B3', 'c1']);
  });

  test('INVALID_APPLICATION for any invalid element whatever its status, and for duplicate ids', () => {
    const good = entry('g1', 'none', 1);
    const broken = [
      { ...entry('x', 'none', 2, 'archived'), birthDate: '2022-02-30' },
      { ...entry('x', 'none', 2, 'archived'), registeredAt: '2026-01-10T10:00:00' },
      { ...entry('x', 'none', 2), queueType: 'General' },
      { ...entry('x', 'none', 2), right: 'second' },
      { ...entry('x', 'none', 2), id: 5 },
      { ...entry('x', 'none', 2), status: null },
      { ...entry('x', 'none', 2), extra: 1 },
      (({ district, ...rest }) => rest)(entry('x', 'none', 2)),
      null, undefined, 'x', [], () => 1,
    ];
    for (const b of broken) {
      const e = throws(() => kezek.rankQueue([good, b]), 'INVALID_APPLICATION');
      assert.match(e.message, /applications\[1\]/);
    }
    throws(() => kezek.rankQueue([good, entry('g1', 'first', 3, 'archived')]), 'INVALID_APPLICATION');
  });

  test('INVALID_ARGUMENT when not an array', () => {
    for (const value of [null, undefined, {}, '[]', 3, new Set([entry('a', 'none', 1)])]) {
      throws(() => kezek.rankQueue(value), 'INVALID_ARGUMENT');
    }
  });

  test('ids compare as UTF-8 bytes without normalisation', () => {
    const same = (id) => entry(id, 'none', 1);
    const ranked = kezek.rankQueue([same('é'), same('e\u0301'), same('z'), same('Z')]);
    assert.deepEqual(ranked.map((r) => r.id), ['Z', 'e\u0301', 'z', 'é']);
  });
});

describe('explainPosition', () => {
  const before = [entry('g1', 'none', 1), entry('g2', 'none', 2), entry('me', 'none', 3)];
  const after = [...before, entry('f1', 'first', 30)];

  test('names a privileged newcomer, with the localized reason', () => {
    const change = kezek.explainPosition(before, after, 'me', 'en');
    assert.deepEqual(change, {
      id: 'me',
      before: 3,
      after: 4,
      enteredAhead: [{
        id: 'f1', right: 'first', reason: { kind: 'newApplication' },
        reasonText: 'a new application that the queue order places ahead',
      }],
      leftAhead: [],
    });
    assert.match(kezek.explainPosition(before, after, 'me').enteredAhead[0].reasonText, /новое заявление/);
    assert.match(kezek.explainPosition(before, after, 'me', 'kk').enteredAhead[0].reasonText, /жаңа өтініш/);
  });

  test('who left ahead and why; an application not queued has null positions', () => {
    const later = after.map((e) => (e.id === 'g1' ? { ...e, status: 'voucher_issued' } : e));
    const change = kezek.explainPosition(after, later, 'me');
    assert.deepEqual([change.before, change.after], [4, 3]);
    assert.deepEqual(change.leftAhead.map((m) => [m.id, m.reason]), [['g1', { kind: 'leftQueue', status: 'voucher_issued' }]]);
    const removed = kezek.explainPosition(after, after.filter((e) => e.id !== 'g2'), 'me', 'en');
    assert.deepEqual(removed.leftAhead.map((m) => m.reason.kind), ['removed']);
    assert.deepEqual(kezek.explainPosition(before, after, 'nobody'),
      { id: 'nobody', before: null, after: null, enteredAhead: [], leftAhead: [] });
  });

  test('INVALID_ARGUMENT and INVALID_APPLICATION', () => {
    throws(() => kezek.explainPosition(before, after, 5), 'INVALID_ARGUMENT');
    throws(() => kezek.explainPosition(before, after, 'me', 'fr'), 'INVALID_ARGUMENT');
    throws(() => kezek.explainPosition(null, after, 'me'), 'INVALID_ARGUMENT');
    throws(() => kezek.explainPosition(before, [...after, {}], 'me'), 'INVALID_APPLICATION');
    throws(() => kezek.explainPosition([...before, before[0]], after, 'me'), 'INVALID_APPLICATION');
  });
});

// ---- allowedActions / apply -----------------------------------------------------------

describe('allowedActions and apply', () => {
  test('register returns the application and the registered event', () => {
    const result = kezek.apply(null, { type: 'register', application: newApplication('KOK-1') }, '2026-03-02T10:00:00+05:00');
    assert.deepEqual(Object.keys(result), ['application', 'events']);
    const app = result.application;
    assert.deepEqual(Object.keys(app), [
      'id', 'district', 'queueType', 'child', 'applicant', 'residence', 'nonResident', 'right', 'registeredAt', 'status',
      'directionsIssued',
    ]);
    assert.deepEqual(app.child, { iin: CHILD, name: 'Иванова Анна', birthDate: '2022-07-14', sex: 'male' });
    assert.equal(app.status, 'queued');
    assert.deepEqual(result.events, [{ type: 'registered', application: app }]);
    const warned = register('KOK-2', '2026-03-02T10:00:00+05:00', { birthDate: '2022-07-15' });
    assert.deepEqual(warned.warnings, ['BIRTH_DATE_DIFFERS_FROM_IIN']);
  });

  test('allowedActions gives action, role, deadline and a localized label', () => {
    let app = register('KOK-3');
    assert.deepEqual(kezek.allowedActions(app, '2026-03-03T10:00:00+05:00', 'en'), [
      { action: 'issueVoucher', role: 'center', label: 'Issue voucher' },
      { action: 'withdraw', role: 'operator', label: 'Withdraw from the queue' },
    ]);
    app = act(app, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    assert.deepEqual(app.voucher, {
      issuedAt: '2026-03-19T10:00:00+05:00', confirmDeadline: '2026-03-26T23:59:59+05:00', extended: false, restored: false,
    });
    const allowed = kezek.allowedActions(app, '2026-03-20T10:00:00Z');
    assert.deepEqual(allowed[0], {
      action: 'confirmVoucher', role: 'operator', deadline: '2026-03-26T23:59:59+05:00', label: 'Подтвердить заинтересованность',
    });
    assert.deepEqual(allowed.map((a) => a.action), ['confirmVoucher', 'refuseVoucher', 'withdraw']);
    assert.equal(kezek.allowedActions(app, '2026-03-20T10:00:00Z', 'kk')[0].label, 'Қызығушылықты растау');
    // After the confirm deadline: stop-listed, restorable for 28 days.
    assert.deepEqual(kezek.allowedActions(app, '2026-03-27T00:00:00+05:00').map((a) => [a.action, a.deadline]), [
      ['restoreVoucher', '2026-04-23T23:59:59+05:00'], ['withdraw', undefined],
    ]);
    assert.deepEqual(kezek.allowedActions(app, '2026-04-24T00:00:00+05:00'), []);
  });

  test('pendingDeadline gives the deadline the status waits on and the action it waits for; daysLeft says when it has passed', () => {
    let app = register('KOK-4');
    assert.equal(kezek.pendingDeadline(app), null, 'a queued application waits on no deadline');
    app = act(app, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    const pending = kezek.pendingDeadline(app);
    assert.deepEqual(pending, { kind: 'confirm', at: '2026-03-26T23:59:59+05:00', action: 'confirmVoucher' });
    assert.equal(kezek.daysLeft(pending.kind, pending.at, '2026-03-26T23:00:00+05:00').days, 1);
    assert.equal(kezek.daysLeft(pending.kind, pending.at, '2026-03-27T00:00:00+05:00').days, 0);
    app = act(app, { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00');
    assert.deepEqual(kezek.pendingDeadline(app), { kind: 'choose', at: app.voucher.chooseDeadline, action: 'chooseKindergarten' });
    throws(() => kezek.pendingDeadline({ id: 'x' }), 'INVALID_APPLICATION');
  });

  test('a whole life: voucher, confirmation, choice, refusal overruled, enrollment, departure', () => {
    let app = register('KOK-4');
    app = act(app, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    app = act(app, { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00');
    assert.equal(app.voucher.chooseDeadline, '2026-04-01T23:59:59+05:00');
    app = act(app, { type: 'extendChoice', days: 10 }, '2026-03-23T10:00:00+05:00');
    assert.equal(app.voucher.chooseDeadline, '2026-04-11T23:59:59+05:00');
    const places = { freePlaces: [{ kindergarten: 'KG-KOK-01', language: 'kk', groupYear: 2022, free: 1 }], kindergartens: DIRECTORY };
    app = act(app, { type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'kk' }, '2026-03-24T10:00:00+05:00', places);
    assert.equal(app.status, 'direction_issued');
    assert.equal(app.direction.number, 'KOK-4-N1');
    app = act(app, { type: 'refuseChild', reason: '  Нет мест  ' }, '2026-03-25T10:00:00+05:00');
    assert.equal(app.direction.refusalReason, 'Нет мест');
    app = act(app, { type: 'overruleRefusal' }, '2026-03-26T10:00:00+05:00');
    assert.equal(app.direction.mustEnroll, true);
    assert.deepEqual(kezek.allowedActions(app, '2026-03-26T11:00:00+05:00').map((a) => a.action), ['acceptChild']);
    app = act(app, { type: 'acceptChild' }, '2026-03-27T10:00:00+05:00');
    const result = kezek.apply(app, { type: 'markDeparted', date: '2026-04-01', reason: 'Переезд' }, '2026-04-02T10:00:00+05:00');
    assert.deepEqual(result.events, [{
      type: 'childDeparted', application: 'KOK-4',
      departure: { date: '2026-04-01', reason: 'Переезд', recordedAt: '2026-04-02T10:00:00+05:00' },
    }]);
    assert.equal(result.application.status, 'departed');
  });

  test('expiries due by `now` come first in the events', () => {
    let app = register('KOK-5');
    app = act(app, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    const result = kezek.apply(app, { type: 'restoreVoucher' }, '2026-03-30T10:00:00+05:00');
    assert.deepEqual(result.events.map((e) => e.type), ['stopListed', 'voucherRestored']);
    assert.deepEqual(result.events[0], {
      type: 'stopListed', application: 'KOK-5', at: '2026-03-26T23:59:59+05:00', restoreDeadline: '2026-04-23T23:59:59+05:00',
    });
    assert.equal(result.application.status, 'voucher_confirmed');
  });

  test('rejections throw the rules code, a localized message and the detail', () => {
    const app = register('KOK-6');
    let e = throws(() => kezek.apply(app, { type: 'acceptChild' }, '2026-03-03T10:00:00Z'), 'NOT_ALLOWED');
    assert.match(e.message, /В очереди/);
    assert.deepEqual(e.detail, { kind: 'notAllowed', action: 'acceptChild', status: 'queued', allowed: ['issueVoucher', 'withdraw'] });
    e = throws(() => kezek.apply(app, { type: 'acceptChild' }, '2026-03-03T10:00:00Z', { lang: 'kk' }), 'NOT_ALLOWED');
    assert.match(e.message, /Кезекте/);
    e = throws(() => kezek.apply(app, { type: 'acceptChild' }, '2026-03-03T10:00:00Z', { lang: 'en' }), 'NOT_ALLOWED');
    assert.match(e.message, /In the queue/);

    const issued = act(app, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    e = throws(() => kezek.apply(issued, { type: 'confirmVoucher' }, '2026-03-27T00:00:00+05:00'), 'DEADLINE_PASSED');
    assert.deepEqual(e.detail, { kind: 'deadlinePassed', action: 'confirmVoucher', deadline: '2026-03-26T23:59:59+05:00' });
    assert.match(e.message, /26\.03\.2026 23:59:59/);

    const confirmed = act(issued, { type: 'confirmVoucher' }, '2026-03-26T23:59:59+05:00');
    e = throws(() => kezek.apply(confirmed, { type: 'extendChoice', days: 31 }, '2026-03-27T10:00:00Z'), 'INVALID_FIELD');
    assert.deepEqual(e.detail, { kind: 'invalidField', field: 'days', problem: { kind: 'outOfRange' } });
    const extended = act(confirmed, { type: 'extendChoice', days: 1 }, '2026-03-27T10:00:00Z');
    e = throws(() => kezek.apply(extended, { type: 'extendChoice', days: 1 }, '2026-03-27T11:00:00Z'), 'ALREADY_USED');
    assert.deepEqual(e.detail, { kind: 'alreadyUsed', action: 'extendChoice' });

    const choose = { type: 'chooseKindergarten', kindergarten: 'KG-KOK-02', language: 'ru' };
    e = throws(() => kezek.apply(extended, choose, '2026-03-27T12:00:00Z', { freePlaces: [], kindergartens: DIRECTORY }), 'NO_FREE_PLACE');
    assert.deepEqual(e.detail, { kind: 'noFreePlace', kindergarten: 'KG-KOK-02', language: 'ru', groupYear: 2022 });
    const zero = { freePlaces: [{ kindergarten: 'KG-KOK-02', language: 'ru', groupYear: 2022, free: 0 }], kindergartens: DIRECTORY };
    throws(() => kezek.apply(extended, choose, '2026-03-27T12:00:00Z', zero), 'NO_FREE_PLACE');

    let directed = act(extended, choose, '2026-03-27T12:00:00Z');
    e = throws(() => kezek.apply(directed, { type: 'refuseChild', reason: '   ' }, '2026-03-28T12:00:00Z'), 'INVALID_FIELD');
    assert.deepEqual(e.detail, { kind: 'invalidField', field: 'reason', problem: { kind: 'empty' } });
    e = throws(() => kezek.apply(directed, { type: 'refuseChild', reason: 'x'.repeat(1001) }, '2026-03-28T12:00:00Z'), 'INVALID_FIELD');
    assert.deepEqual(e.detail.problem, { kind: 'tooLong', maxChars: 1000 });
    directed = act(directed, { type: 'refuseChild', reason: 'Нет мест' }, '2026-03-28T12:00:00Z');
    directed = act(directed, { type: 'overruleRefusal' }, '2026-03-29T12:00:00Z');
    e = throws(() => kezek.apply(directed, { type: 'refuseChild', reason: 'x' }, '2026-03-30T12:00:00Z'), 'MUST_ENROLL');
    assert.deepEqual(e.detail, { kind: 'mustEnroll' });
  });

  test('registration is checked by the rules (IIN codes, dates, fields)', () => {
    const cmd = (extra) => ({ type: 'register', application: newApplication('KOK-7', extra) });
    const now = '2026-03-02T10:00:00+05:00';
    let e = throws(() => kezek.apply(null, cmd({ childIin: '12345' }), now), 'IIN_FORMAT');
    assert.deepEqual(e.detail, { kind: 'invalidIin', field: 'child', error: 'IIN_FORMAT' });
    e = throws(() => kezek.apply(null, cmd({ childIin: '221301500123' }), now), 'IIN_DATE');
    e = throws(() => kezek.apply(null, cmd({ childIin: CHILD.slice(0, 11) + ((Number(CHILD[11]) + 1) % 10) }), now), 'IIN_CHECKSUM');
    throws(() => kezek.apply(null, cmd({}), '2021-01-01T00:00:00Z'), 'BIRTH_DATE_IN_FUTURE');
    e = throws(() => kezek.apply(null, cmd({}), '2029-09-01T00:00:00+05:00'), 'CHILD_TOO_OLD');
    assert.deepEqual(e.detail, { kind: 'childTooOld', agedOutOn: '2028-09-01' });
    throws(() => kezek.apply(null, cmd({ right: 'first' }), now), 'INVALID_FIELD');
    throws(() => kezek.apply(null, cmd({ id: '' }), now), 'INVALID_FIELD');
  });

  test('INVALID_APPLICATION, INVALID_INSTANT, INVALID_ARGUMENT', () => {
    const app = register('KOK-8');
    const now = '2026-03-03T10:00:00Z';
    const withdraw = { type: 'withdraw' };
    for (const bad of [[], 'KOK-8', 5, { ...app, status: 'waiting' }, { ...app, extra: 1 }, { ...app, registeredAt: '2026-03-02' },
      (({ status, ...rest }) => rest)(app)]) {
      throws(() => kezek.allowedActions(bad, now), 'INVALID_APPLICATION');
      throws(() => kezek.apply(bad, withdraw, now), 'INVALID_APPLICATION');
    }
    throws(() => kezek.apply(null, withdraw, now), 'INVALID_APPLICATION');
    throws(() => kezek.apply(undefined, withdraw, now), 'INVALID_APPLICATION');
    throws(() => kezek.apply(null, { type: 'register', application: { id: 'x' } }, now), 'INVALID_APPLICATION');
    throws(() => kezek.apply(null, { type: 'register' }, now), 'INVALID_APPLICATION');
    for (const bad of ['2026-03-03', '2026-03-03T10:00:00', null, Date.now()]) {
      throws(() => kezek.allowedActions(app, bad), 'INVALID_INSTANT');
      throws(() => kezek.apply(app, withdraw, bad), 'INVALID_INSTANT');
    }
    throws(() => kezek.allowedActions(app, now, 'english'), 'INVALID_ARGUMENT');
    for (const command of [{}, { type: 'nope' }, 'withdraw', null, { type: 'withdraw', x: 1 }, { type: 'extendChoice' },
      { type: 'extendChoice', days: '3' }, { type: 'extendChoice', days: 2.5 }, { type: 'tick', x: 1 }, { type: 'distribute' }]) {
      throws(() => kezek.apply(app, command, now), 'INVALID_ARGUMENT');
    }
    for (const options of [{ lang: 'de' }, { foo: 1 }, 'ru', [], { freePlaces: [{ kindergarten: 'K' }] }]) {
      throws(() => kezek.apply(app, withdraw, now, options), 'INVALID_ARGUMENT');
    }
    throws(() => kezek.apply(app, { type: 'register', application: newApplication('KOK-9') }, now), 'INVALID_ARGUMENT');
    const e = throws(() => kezek.apply(null, withdraw, now, { lang: 'en' }), 'INVALID_APPLICATION');
    assert.match(e.message, /^Invalid application/);
    assert.equal(e.detail, undefined, 'detail only for rules rejections');
    assert.equal(kezek.apply(app, withdraw, now, null).application.archiveReason, 'withdrawn');
  });

  test('the input application is not changed', () => {
    const app = act(register('KOK-10'), { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    const copy = structuredClone(app);
    kezek.apply(app, { type: 'confirmVoucher' }, '2026-03-19T11:00:00+05:00');
    assert.deepEqual(app, copy);
  });

  test('CENTER_ONLY: vouchers, refusal reviews, rounds and expiry are the center\'s, in any status', () => {
    const queued = register('KOK-11');
    const issued = act(queued, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    let refused = act(issued, { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00');
    refused = act(refused, { type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'kk' }, '2026-03-20T11:00:00+05:00');
    refused = act(refused, { type: 'refuseChild', reason: 'Нет мест' }, '2026-03-20T12:00:00+05:00');
    assert.equal(refused.status, 'refusal_review');
    const now = '2026-03-21T10:00:00+05:00';
    const commands = [{ type: 'issueVoucher' }, { type: 'upholdRefusal' }, { type: 'overruleRefusal' },
      { type: 'distribute', district: 'KOK' }, { type: 'tick' }];
    for (const app of [queued, issued, refused]) {
      for (const command of commands) {
        const e = throws(() => kezek.apply(app, command, now), 'CENTER_ONLY');
        assert.equal(e.detail, undefined);
        assert.ok(e.message.includes(command.type), e.message);
      }
    }
    assert.match(throws(() => kezek.apply(queued, { type: 'issueVoucher' }, now, { lang: 'en' }), 'CENTER_ONLY').message,
      /only at the center \(Center\)/);
    assert.match(throws(() => kezek.apply(refused, { type: 'upholdRefusal' }, now, { lang: 'kk' }), 'CENTER_ONLY').message,
      /орталықта/);
    // Even without an application, and before the rules look at the status.
    throws(() => kezek.apply(null, { type: 'issueVoucher' }, now), 'CENTER_ONLY');
    // The operator's and the kindergarten's actions still work.
    assert.equal(act(issued, { type: 'confirmVoucher' }, now).status, 'voucher_confirmed');
  });

  test('a choice is checked against the directory and the free places as the center checks it', () => {
    let app = act(register('KOK-12'), { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
    app = act(app, { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00');
    const kg = (id, district, queueType, languages) => ({
      id, district, queueType, name: { ru: id, kk: id }, ownership: 'state', address: 'г. Кокшетау', phone: '+7', languages,
    });
    const kindergartens = [kg('KG-KOK-01', 'KOK', 'general', ['kk', 'ru']), kg('KG-KOK-06', 'KOK', 'special', ['ru']),
      kg('KG-AKK-01', 'AKK', 'general', ['ru'])];
    const freePlaces = ['KG-KOK-01', 'KG-KOK-06', 'KG-AKK-01', 'KG-KOK-99']
      .flatMap((kindergarten) => ['kk', 'ru', 'en'].map((language) => ({ kindergarten, language, groupYear: 2022, free: 2 })));
    const options = { kindergartens, freePlaces };
    const now = '2026-03-20T11:00:00+05:00';
    const choose = (kindergarten, language, opts = options) =>
      () => kezek.apply(app, { type: 'chooseKindergarten', kindergarten, language }, now, opts);
    let e = throws(choose('KG-AKK-01', 'ru'), 'KINDERGARTEN_MISMATCH');
    assert.deepEqual(e.detail, { kind: 'kindergartenMismatch', kindergarten: 'KG-AKK-01' });
    throws(choose('KG-KOK-06', 'ru'), 'KINDERGARTEN_MISMATCH'); // another queue type
    e = throws(choose('KG-KOK-01', 'en'), 'LANGUAGE_NOT_OFFERED');
    assert.deepEqual(e.detail, { kind: 'languageNotOffered', kindergarten: 'KG-KOK-01', language: 'en' });
    throws(choose('KG-KOK-99', 'ru'), 'UNKNOWN_KINDERGARTEN');
    throws(choose('KG-KOK-01', 'kk', { kindergartens }), 'NO_FREE_PLACE');
    throws(choose('KG-KOK-01', 'kk', { freePlaces }), 'UNKNOWN_KINDERGARTEN'); // places without the directory
    assert.equal(kezek.apply(app, { type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'kk' }, now, options)
      .application.status, 'direction_issued');
    // Without either list every choice is taken as possible (the center re-checks).
    assert.equal(choose('KG-AKK-01', 'en', {})().application.status, 'direction_issued');
    throws(choose('KG-KOK-01', 'kk', { kindergartens: [{ id: 'KG-KOK-01' }] }), 'INVALID_ARGUMENT');
  });

  test('privilege categories: a listed code of the application\'s class', () => {
    const now = '2026-03-02T10:00:00+05:00';
    const cmd = (extra) => ({ type: 'register', application: newApplication('KOK-13', extra) });
    assert.equal(kezek.apply(null, cmd({ right: 'first', rightCategory: 'LARGE_FAMILY' }), now).application.rightCategory, 'LARGE_FAMILY');
    assert.equal(kezek.apply(null, cmd({ right: 'extraordinary', rightCategory: 'MILITARY' }), now).application.right, 'extraordinary');
    let e = throws(() => kezek.apply(null, cmd({ right: 'extraordinary', rightCategory: 'anything' }), now), 'UNKNOWN_CATEGORY');
    assert.deepEqual(e.detail, { kind: 'unknownCategory', category: 'anything' });
    throws(() => kezek.apply(null, cmd({ right: 'first', rightCategory: 'large_family' }), now), 'UNKNOWN_CATEGORY');
    e = throws(() => kezek.apply(null, cmd({ right: 'extraordinary', rightCategory: 'LARGE_FAMILY' }), now, { lang: 'en' }),
      'CATEGORY_RIGHT_MISMATCH');
    assert.deepEqual(e.detail, { kind: 'categoryRightMismatch', category: 'LARGE_FAMILY', right: 'extraordinary', categoryRight: 'first' });
    assert.match(e.message, /LARGE_FAMILY/);
    e = throws(() => kezek.apply(null, cmd({ right: 'first', rightCategory: '  ' }), now), 'INVALID_FIELD');
    assert.deepEqual(e.detail.problem, { kind: 'empty' });
  });
});

describe('daysLeft', () => {
  test('today counts while it is not over: 1 on the last day, 0 after', () => {
    const d = '2026-03-26T23:59:59+05:00'; // Thursday after Nauryz
    assert.deepEqual(kezek.daysLeft('confirm', d, '2026-03-26T09:00:00+05:00'), { days: 1, unit: 'working' });
    assert.deepEqual(kezek.daysLeft('confirm', d, d), { days: 1, unit: 'working' });
    assert.deepEqual(kezek.daysLeft('confirm', d, '2026-03-27T00:00:00+05:00'), { days: 0, unit: 'working' });
    assert.equal(kezek.daysLeft('confirm', d, '2026-03-20T10:00:00+05:00').days, 2); // Fri 20, Thu 26
    assert.equal(kezek.daysLeft('choose', d, '2026-03-23T10:00:00+05:00').days, 1); // a holiday: Thursday only
    assert.equal(kezek.daysLeft('confirm', d, '2026-03-25T19:00:00Z').days, 1); // already Thursday in Kazakhstan
    assert.deepEqual(kezek.daysLeft('restore', '2026-03-25T23:59:59+05:00', '2026-02-26T00:00:00+05:00'), { days: 28, unit: 'calendar' });
    assert.equal(kezek.daysLeft('restore', '2026-03-25T23:59:59+05:00', '2026-03-25T23:00:00+05:00').days, 1);
  });

  test('errors', () => {
    throws(() => kezek.daysLeft('extend', '2026-03-26T23:59:59+05:00', '2026-03-20T10:00:00Z'), 'INVALID_KIND');
    throws(() => kezek.daysLeft('confirm', '2026-03-26', '2026-03-20T10:00:00Z'), 'INVALID_INSTANT');
    throws(() => kezek.daysLeft('confirm', '2026-03-26T23:59:59+05:00', null), 'INVALID_INSTANT');
    throws(() => kezek.daysLeft('choose', '9999-12-31T23:59:59+05:00', '2026-03-20T10:00:00Z'), 'CALENDAR_OUT_OF_RANGE');
  });
});

describe("what the parents' portal asks: actionInfo, applicationInfo, queuePlace, kindergartenChoices", () => {
  test('actionInfo says who takes an action, its deadlines, its days and whether it ends the application', () => {
    assert.deepEqual(kezek.actionInfo('extendChoice'), {
      role: 'operator', parent: true, dueBy: 'choose', starts: null, days: { min: 1, max: 30 }, ends: false,
    });
    assert.deepEqual(kezek.actionInfo('confirmVoucher'), { role: 'operator', parent: true, dueBy: 'confirm', starts: 'choose', days: null, ends: false });
    assert.deepEqual(kezek.actionInfo('issueVoucher'), { role: 'center', parent: false, dueBy: null, starts: 'confirm', days: null, ends: false });
    const parents = ['confirmVoucher', 'restoreVoucher', 'extendChoice', 'chooseKindergarten', 'refuseVoucher', 'withdraw'];
    const all = [...parents, 'issueVoucher', 'acceptChild', 'refuseChild', 'upholdRefusal', 'overruleRefusal', 'markDeparted'];
    assert.deepEqual(all.filter((a) => kezek.actionInfo(a).parent), parents);
    assert.deepEqual(all.filter((a) => kezek.actionInfo(a).ends), ['refuseVoucher', 'withdraw', 'markDeparted']);
    for (const bad of ['foo', 'ExtendChoice', 42, null]) throws(() => kezek.actionInfo(bad), 'INVALID_ARGUMENT');
    // The bounds are those `apply` holds the days to; the starts deadline is the one it sets.
    let app = act(act(register('KOK-50'), { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00'), { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00');
    assert.equal(app.voucher.chooseDeadline, kezek.deadline(kezek.actionInfo('confirmVoucher').starts, '2026-03-20T10:00:00+05:00').at);
    const { min, max } = kezek.actionInfo('extendChoice').days;
    for (const days of [min, max]) assert.ok(act(app, { type: 'extendChoice', days }, '2026-03-23T10:00:00+05:00').voucher.extended);
    for (const days of [min - 1, max + 1]) throws(() => act(app, { type: 'extendChoice', days }, '2026-03-23T10:00:00+05:00'), 'INVALID_FIELD');
    app = act(app, { type: 'withdraw' }, '2026-03-23T10:00:00+05:00');
    assert.equal(kezek.actionInfo('withdraw').ends, app.status === 'archived');
  });

  test('applicationInfo gives the group year and whether the status is final', () => {
    const app = register('KOK-51', '2026-03-02T10:00:00+05:00', { birthDate: '2022-12-31' });
    assert.deepEqual(kezek.applicationInfo(app), { groupYear: 2022, final: false });
    assert.deepEqual(kezek.applicationInfo(act(app, { type: 'withdraw' }, '2026-03-03T10:00:00+05:00')), { groupYear: 2022, final: true });
    throws(() => kezek.applicationInfo({ ...app, position: 3 }), 'INVALID_APPLICATION');
  });

  test('queuePlace gives position N of M in the same queue, as rankQueue ranks it', () => {
    const list = [
      entry('a', 'none', 1), entry('b', 'first', 2), entry('c', 'none', 3), entry('x', 'none', 0, 'archived'),
      entry('y', 'none', 4, 'queued', { birthDate: '2021-05-01' }), entry('z', 'none', 5, 'queued', { queueType: 'sanatorium' }),
    ];
    const ranked = kezek.rankQueue(list);
    for (const id of ['a', 'b', 'c']) {
      assert.deepEqual(kezek.queuePlace(list, id), { position: ranked.find((r) => r.id === id).position, total: 3 });
    }
    assert.deepEqual(kezek.queuePlace(list, 'y'), { position: 1, total: 1 });
    assert.equal(kezek.queuePlace(list, 'x'), null, 'not queued');
    assert.equal(kezek.queuePlace(list, 'nobody'), null);
    throws(() => kezek.queuePlace({}, 'a'), 'INVALID_ARGUMENT');
    throws(() => kezek.queuePlace([...list, entry('a', 'none', 9)], 'a'), 'INVALID_APPLICATION');
    throws(() => kezek.queuePlace(list, 7), 'INVALID_ARGUMENT');
  });

  test('kindergartenChoices lists exactly the free places apply accepts a choice for', () => {
    const app = act(act(register('KOK-52'), { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00'), { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00');
    const kindergartens = [...DIRECTORY, { ...DIRECTORY[0], id: 'KG-ZER-01', district: 'ZER' }, { ...DIRECTORY[0], id: 'KG-SAN', queueType: 'sanatorium' },
      { ...DIRECTORY[0], id: 'KG-CLOSED', open: false }, { ...DIRECTORY[0], id: 'KG-RU', languages: ['ru'] }];
    const place = (kindergarten, language, groupYear, free) => ({ kindergarten, language, groupYear, free });
    const freePlaces = [
      place('KG-KOK-01', 'kk', 2022, 1), place('KG-KOK-02', 'ru', 2022, 0), place('KG-KOK-02', 'kk', 2021, 2), place('KG-ZER-01', 'kk', 2022, 1),
      place('KG-SAN', 'ru', 2022, 1), place('KG-CLOSED', 'kk', 2022, 1), place('KG-RU', 'kk', 2022, 1), place('KG-NONE', 'ru', 2022, 1),
      place('KG-KOK-02', 'ru', 2022, 3),
    ];
    const options = { kindergartens, freePlaces };
    const choices = kezek.kindergartenChoices(app, options);
    assert.deepEqual(choices, [freePlaces[0], freePlaces[8]]);
    for (const p of freePlaces.filter((f) => f.groupYear === 2022)) {
      const command = { type: 'chooseKindergarten', kindergarten: p.kindergarten, language: p.language };
      let accepted = true;
      try {
        kezek.apply(app, command, '2026-03-21T10:00:00+05:00', options);
      } catch {
        accepted = false;
      }
      // Listed places of one kindergarten and language add up (KG-KOK-02 ru: 0 + 3), as in `apply`.
      assert.equal(accepted, choices.some((c) => c.kindergarten === p.kindergarten && c.language === p.language), `${p.kindergarten} ${p.language}`);
    }
    assert.deepEqual(kezek.kindergartenChoices(app), [], 'no places known: none to list');
    throws(() => kezek.kindergartenChoices(app, { freePlaces: [{ kindergarten: 'KG-KOK-01' }] }), 'INVALID_ARGUMENT');
    throws(() => kezek.kindergartenChoices({ id: 'x' }, options), 'INVALID_APPLICATION');
  });
});
