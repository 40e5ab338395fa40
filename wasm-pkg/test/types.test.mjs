// The TypeScript types of the package:
// - the generated .d.ts files equal the checked-in ones (kezek.d.ts, kezek.web.d.ts);
//   after an intended change: KEZEK_UPDATE_TYPES=1 node --test test/types.test.mjs
// - no `any` in them;
// - they compile with `tsc --strict`, and real answers of every function (and real error
//   details) are assignable to the declared types, excess properties included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const require = createRequire(import.meta.url);
const kezek = require(path.join(root, 'pkg', 'node', 'kezek.js'));
import { CENTER_ACTIONS, atCenter } from '../scripts/center.mjs';

const pairs = [
  ['pkg/node/kezek.d.ts', 'kezek.d.ts'],
  ['pkg/web/kezek.d.ts', 'kezek.web.d.ts'],
];

for (const [generated, expected] of pairs) {
  test(`${generated} equals the checked-in ${expected}`, () => {
    const got = fs.readFileSync(path.join(root, generated), 'utf8');
    const want = path.join(root, expected);
    if (process.env.KEZEK_UPDATE_TYPES === '1') fs.writeFileSync(want, got);
    const wanted = fs.existsSync(want) ? fs.readFileSync(want, 'utf8') : '';
    if (got !== wanted) {
      const diff = spawnSync('diff', ['-u', want, path.join(root, generated)], { encoding: 'utf8' }).stdout;
      assert.fail(`${generated} differs from ${expected} (if intended: KEZEK_UPDATE_TYPES=1 node --test test/types.test.mjs)\n${diff}`);
    }
  });
}

test('no `any` in the public types', () => {
  for (const [, expected] of pairs) {
    const code = fs.readFileSync(path.join(root, expected), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /\bany\b/, expected);
  }
});

// ---- real answers, checked against the declared types ----------------------------------

function checkDigit(prefix) {
  const d = [...prefix].map(Number);
  const sum = (w) => d.reduce((s, x, i) => s + x * w[i], 0) % 11;
  const first = sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  return first !== 10 ? first : sum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
}
const CHILD = `22071450012${checkDigit('22071450012')}`;
const PARENT = `88022940012${checkDigit('88022940012')}`;

/** [TypeScript type, value] pairs from real calls, and the error details met on the way. */
function samples() {
  const out = [];
  const add = (type, value) => out.push([type, value]);
  const details = [];
  const attempt = (fn) => {
    try {
      return fn();
    } catch (e) {
      assert.equal(typeof e.code, 'string');
      if (e.detail !== undefined) details.push(e.detail);
      return undefined;
    }
  };
  add('IinResult', kezek.validateIin(CHILD));
  add('IinResult', kezek.validateIin('123', 'kk'));
  add('CalendarInfo', kezek.calendarInfo());
  add('Deadline', kezek.deadline('confirm', '2026-12-30T10:00:00+05:00'));
  add('Deadline', kezek.deadline('restore', '2026-02-25T23:59:59+05:00'));
  const entry = (id, right, minute, status = 'queued') => ({
    id, district: 'KOK', queueType: 'general', birthDate: '2022-05-01', right,
    registeredAt: `2026-01-10T10:${String(minute).padStart(2, '0')}:00+05:00`, status,
  });
  const before = [entry('g1', 'none', 1), entry('g2', 'none', 2), entry('me', 'none', 3), entry('x', 'first', 0, 'archived')];
  const after = [entry('g1', 'none', 1, 'voucher_issued'), entry('me', 'none', 3), entry('f1', 'first', 9), entry('x', 'first', 0)];
  add('RankInput[]', before);
  add('Ranked[]', kezek.rankQueue(before));
  add('PositionChange', kezek.explainPosition(before, after, 'me', 'en'));
  add('PositionChange', kezek.explainPosition(after, before, 'me'));

  const application = {
    id: 'KOK-1', district: 'KOK', queueType: 'general', childIin: CHILD, childName: 'Иванова Анна',
    birthDate: '2022-07-15', applicant: { iin: PARENT, name: 'Иванова Мария', kinship: 'mother', phone: '+7', email: 'a@b.kz' },
    residence: { kind: 'permanent', address: 'г. Кокшетау' }, nonResident: true, nonResidentDocuments: ['Вид на жительство'],
    right: 'first', rightCategory: 'LARGE_FAMILY', rightDocument: 'Справка',
  };
  add('NewApplication', application);
  let result = kezek.apply(null, { type: 'register', application }, '2026-03-02T10:00:00+05:00', { lang: 'en' });
  add('ApplyResult', result);
  const step = (command, now, options) => {
    add('Action', command);
    add('AllowedAction[]', kezek.allowedActions(result.application, now, 'kk'));
    if (CENTER_ACTIONS.has(command.type)) {
      // CENTER_ONLY in `apply` (no detail); the center's fold moves the sample on.
      assert.equal(attempt(() => kezek.apply(result.application, command, now, options)), undefined);
      result = { application: atCenter(kezek, result.application, command, now), events: [] };
      add('Application', result.application);
      return;
    }
    const next = attempt(() => kezek.apply(result.application, command, now, options));
    if (next) {
      result = next;
      add('ApplyResult', result);
    }
  };
  const kindergartens = [{ id: 'KG-KOK-01', district: 'KOK', queueType: 'general', name: { ru: 'Сад', kk: 'Бақша' },
    ownership: 'state', address: 'г. Кокшетау', phone: '+7', languages: ['kk', 'ru'] }];
  const places = { freePlaces: [{ kindergarten: 'KG-KOK-01', language: 'kk', groupYear: 2022, free: 1 }], kindergartens, lang: 'ru' };
  add('ApplyOptions', places);
  step({ type: 'acceptChild' }, '2026-03-03T10:00:00Z');
  step({ type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
  step({ type: 'confirmVoucher' }, '2026-03-27T10:00:00+05:00'); // too late: stop-listed
  step({ type: 'restoreVoucher' }, '2026-03-30T10:00:00+05:00');
  step({ type: 'restoreVoucher' }, '2026-03-30T11:00:00+05:00');
  step({ type: 'extendChoice', days: 0 }, '2026-03-30T12:00:00+05:00');
  step({ type: 'extendChoice', days: 3 }, '2026-03-30T12:00:00+05:00');
  step({ type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'ru' }, '2026-03-31T10:00:00+05:00', places);
  step({ type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'kk' }, '2026-03-31T10:00:00+05:00', places);
  step({ type: 'refuseChild', reason: 'x'.repeat(1001) }, '2026-04-01T10:00:00+05:00');
  step({ type: 'refuseChild', reason: 'Нет мест' }, '2026-04-01T10:00:00+05:00');
  step({ type: 'upholdRefusal' }, '2026-04-02T10:00:00+05:00');
  step({ type: 'issueVoucher' }, '2026-04-03T10:00:00+05:00');
  step({ type: 'confirmVoucher' }, '2026-04-03T11:00:00+05:00');
  step({ type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'kk' }, '2026-04-03T12:00:00+05:00');
  step({ type: 'refuseChild', reason: 'Нет мест' }, '2026-04-04T10:00:00+05:00');
  step({ type: 'overruleRefusal' }, '2026-04-05T10:00:00+05:00');
  step({ type: 'refuseChild', reason: 'x' }, '2026-04-05T11:00:00+05:00');
  step({ type: 'acceptChild' }, '2026-04-06T10:00:00+05:00');
  step({ type: 'markDeparted', date: '2026-05-01', reason: 'Переезд' }, '2026-05-02T10:00:00+05:00');
  const other = kezek.apply(null, { type: 'register', application: { ...application, id: 'KOK-2', right: 'none', rightCategory: undefined } },
    '2026-03-02T10:00:00+05:00');
  assert.ok(other.application);
  attempt(() => kezek.apply(null, { type: 'register', application: { ...application, childIin: '1' } }, '2026-03-02T10:00:00Z'));
  attempt(() => kezek.apply(null, { type: 'register', application: { ...application, childName: ' ' } }, '2026-03-02T10:00:00Z'));
  attempt(() => kezek.apply(null, { type: 'register', application }, '2029-09-02T10:00:00Z'));
  const withdrawn = kezek.apply(other.application, { type: 'withdraw' }, '2026-03-03T10:00:00Z');
  add('ApplyResult', withdrawn);
  add('RegisterCommand', { type: 'register', application });
  for (const detail of details) add('CommandErrorDetail', detail);
  assert.ok(details.length >= 6, `details: ${JSON.stringify(details)}`);
  const kinds = new Set(out.filter(([t]) => t === 'ApplyResult').flatMap(([, r]) => r.events.map((e) => e.type)));
  add('ApplicationInfo', kezek.applicationInfo(withdrawn.application));
  add('QueuePlace', kezek.queuePlace(before, 'me'));
  for (const action of ['extendChoice', 'confirmVoucher', 'markDeparted']) add('ActionInfo', kezek.actionInfo(action));
  const voucher = atCenter(kezek, other.application, { type: 'issueVoucher' }, '2026-03-19T10:00:00+05:00');
  add('PendingDeadline', kezek.pendingDeadline(voucher));
  add('FreePlace[]', kezek.kindergartenChoices(kezek.apply(voucher, { type: 'confirmVoucher' }, '2026-03-20T10:00:00+05:00').application, places));
  add('DaysLeft', kezek.daysLeft('confirm', '2026-03-26T23:59:59+05:00', '2026-03-20T10:00:00+05:00'));
  add('DaysLeft', kezek.daysLeft('restore', '2026-03-26T23:59:59+05:00', '2026-03-27T10:00:00+05:00'));
  attempt(() => kezek.apply(null, { type: 'register', application: { ...application, rightCategory: 'TEACHERS' } }, '2026-03-02T10:00:00Z'));
  attempt(() => kezek.apply(null, { type: 'register', application: { ...application, rightCategory: 'MILITARY' } }, '2026-03-02T10:00:00Z'));
  // voucherIssued, refusalUpheld and refusalOverruled are the center's events: `apply` refuses
  // those actions (CENTER_ONLY), so its answers never carry them.
  for (const kind of ['registered', 'stopListed', 'voucherRestored', 'choiceExtended', 'directionIssued',
    'childRefused', 'voucherConfirmed', 'childEnrolled', 'childDeparted', 'archived']) {
    assert.ok(kinds.has(kind), `the samples have a ${kind} event`);
  }
  return out;
}

test('the types compile with tsc --strict and describe the real answers exactly', (t) => {
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
  if (!fs.existsSync(tsc)) {
    assert.fail('TypeScript is missing: run `npm ci` in wasm-pkg (devDependencies)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-types-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const node = path.join(root, 'pkg', 'node', 'kezek');
  const web = path.join(root, 'pkg', 'web', 'kezek');
  const lines = [
    `import type * as K from ${JSON.stringify(node)};`,
    `import * as kezek from ${JSON.stringify(node)};`,
    `import init, { initSync, validateIin as validateIinWeb } from ${JSON.stringify(web)};`,
    '',
    '// Usage as a portal developer writes it.',
    'const iin: K.IinResult = kezek.validateIin("220714500129", "kk");',
    'if (iin.valid) { const d: K.DateString = iin.birthDate; void d; } else { const c: K.IinErrorCode = iin.error.code; void c; }',
    'const working: boolean = kezek.isWorkingDay("2026-03-24");',
    'const day: string = kezek.workingDaysAfter("2026-03-20", 2);',
    'const due: K.Deadline = kezek.deadline("restore", "2026-02-25T23:59:59+05:00");',
    'const dueAt: K.InstantString = due.at; const dueProvisional: boolean = due.provisional;',
    'void [dueAt, dueProvisional];',
    'const info: K.CalendarInfo = kezek.calendarInfo();',
    'const left: K.DaysLeft = kezek.daysLeft("choose", "2026-03-26T23:59:59+05:00", "2026-03-20T10:00:00Z");',
    'void left;',
    'const v: string = kezek.version();',
    'void [working, day, due, info, v, init, initSync, validateIinWeb];',
    'try { kezek.apply(null, { type: "withdraw" }, "2026-03-03T10:00:00Z"); } catch (e) {',
    '  const error = e as K.KezekError;',
    '  const code: K.InputErrorCode | K.RulesErrorCode | K.CenterOnlyCode = error.code;',
    '  if (error.detail?.kind === "notAllowed") { const allowed: K.ActionKind[] = error.detail.allowed; void allowed; }',
    '  void code;',
    '}',
    '// @ts-expect-error: a kind that does not exist',
    'kezek.deadline("extend", "2026-02-25T23:59:59+05:00");',
    '// @ts-expect-error: an unknown action',
    'kezek.apply(null, { type: "tick" }, "2026-03-03T10:00:00Z");',
    '// @ts-expect-error: an unknown language',
    'kezek.validateIin("1", "de");',
    '',
    '// Real answers.',
  ];
  samples().forEach(([type, value], i) => {
    lines.push(`export const sample${i}: K.${type} = ${JSON.stringify(value)};`);
  });
  const file = path.join(dir, 'samples.ts');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const compilerOptions = {
    noEmit: true, strict: true, exactOptionalPropertyTypes: true, target: 'es2022', lib: ['es2022', 'dom'],
    module: 'preserve', moduleResolution: 'bundler', types: [], skipLibCheck: false,
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['samples.ts'] }));
  const args = ['-p', dir];
  const run = spawnSync(process.execPath, [tsc, ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});

test('the package.json exports resolve: require → node build, import with the browser condition → web build', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-exports-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'node_modules', '@kezek'), { recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', '@kezek', 'rules'), 'dir');
  const run = (args) => execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' }).trim();
  assert.equal(run(['-e', 'console.log(require("@kezek/rules").isWorkingDay("2026-03-26"))']), 'true');
  assert.equal(
    run(['--input-type=module', '-e', 'import { isWorkingDay } from "@kezek/rules"; console.log(isWorkingDay("2026-03-24"))']),
    'false',
  );
  const web = [
    '--conditions=browser', '--input-type=module', '-e',
    [
      'import fs from "node:fs";',
      'import { createRequire } from "node:module";',
      'import init, { initSync, validateIin } from "@kezek/rules";',
      'const wasm = createRequire(import.meta.url).resolve("@kezek/rules/package.json").replace(/package\\.json$/, "pkg/web/kezek_core_bg.wasm");',
      'initSync({ module: fs.readFileSync(wasm) });',
      'console.log(typeof init, validateIin("1").error.code);',
    ].join('\n'),
  ];
  assert.equal(run(web), 'function IIN_FORMAT');
});
