#!/usr/bin/env node
// Builds the portal's demo district snapshots from data/ with the rules' WASM package (Node).
//
//   node portal/tools/make-demo-snapshot.mjs          write portal/demo/* and portal/data/*
//   node portal/tools/make-demo-snapshot.mjs --check  exit 1 if the files differ from what it builds
//
// Needs wasm-pkg/pkg/node (`bash wasm-pkg/build.sh`). Every state change goes through the
// rules' `apply` (register, confirmVoucher, chooseKindergarten, acceptChild, withdraw) at a
// fixed instant, so the output is the same on every run; the center's own steps (vouchers of
// a distribution round, which `apply` refuses as CENTER_ONLY, and the expiry tick) are the
// fold of the event the center's rules record (wasm-pkg/scripts/center.mjs, stopListAt). The snapshots have the
// shape of the center's `Snapshot` (changelog/src/sync.rs): district, generatedAt,
// calendarVersion, applications (by id), positions (rankQueue), places, freePlaces,
// kindergartens.
//
// The story of Kokshetau (KOK), between the two snapshots of 23 October and 23 November 2026:
//  - 20 Oct round: a voucher in the 2024 queue; confirmed, kindergarten chosen, enrolled.
//  - 26 Oct: a first-priority child registers in the 2025 queue (from data/): children
//    without a privilege behind it move back one place (the 1:3 interleaving).
//  - 10 Nov round: a voucher in the 2022 queue that nobody confirms: stop-listed on 12 Nov.
//  - 12 Nov: a 2022 family withdraws its application.
//  - 19 Nov round: one 2022 voucher confirmed on 20 Nov (choosing a kindergarten until 27 Nov);
//    one 2024 voucher confirmed and a kindergarten chosen (direction issued).
//  - 23 Nov round (Monday): vouchers in the 2022, 2023 and 2024 queues, to confirm by
//    Wednesday 25 Nov.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CENTER_ACTIONS, atCenter } from '../../wasm-pkg/scripts/center.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PORTAL = path.resolve(HERE, '..');
const ROOT = path.resolve(PORTAL, '..');
const DATA = path.join(ROOT, 'data');
const NODE_PKG = path.join(ROOT, 'wasm-pkg', 'pkg', 'node', 'kezek.js');

const DISTRICT = 'KOK';
const PREVIOUS_AT = '2026-10-23T18:00:00+05:00';
const GENERATED_AT = '2026-11-23T18:00:00+05:00';

if (!existsSync(NODE_PKG)) {
  console.error(`make-demo-snapshot: ${path.relative(process.cwd(), NODE_PKG)} is missing: run \`bash wasm-pkg/build.sh\` (or \`just wasm\`) first`);
  process.exit(1);
}
const rules = createRequire(import.meta.url)(NODE_PKG);

const readJsonl = (file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));

const kindergartens = JSON.parse(readFileSync(path.join(DATA, 'demo', 'kindergartens.json'), 'utf8')).filter((k) => k.district === DISTRICT);
const registrations = readJsonl(path.join(DATA, 'demo', 'applications.jsonl')).filter((r) => r.application.district === DISTRICT);
const placeLines = readJsonl(path.join(DATA, 'demo', 'places.jsonl'));

const ms = (instant) => Date.parse(instant);
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// ---------------------------------------------------------------------------------------
// The district as the rules fold it: applications by id, changed only through `apply`.

const apps = new Map();
const counters = new Map();

function register({ at, application }) {
  const year = at.slice(0, 4);
  const seq = (counters.get(year) ?? 0) + 1;
  counters.set(year, seq);
  const id = `ОДО.${year}.${seq}`;
  const result = rules.apply(null, { type: 'register', application: { ...application, id } }, at, {});
  apps.set(id, result.application);
}

function act(id, action, at, options = {}) {
  if (CENTER_ACTIONS.has(action.type)) {
    apps.set(id, atCenter(rules, apps.get(id), action, at));
    return [];
  }
  const result = rules.apply(apps.get(id), action, at, { kindergartens, ...options });
  apps.set(id, result.application);
  return result.events;
}

/** The application as a center's expiry tick at `at` leaves it: the rules' StopListed event. */
function stopListAt(id, at) {
  // The JS API has no `tick`; `restoreVoucher` after the confirm deadline settles the voucher
  // first, so its first event is the StopListed one the center's tick would record.
  const events = rules.apply(apps.get(id), { type: 'restoreVoucher' }, at, {}).events;
  const stop = events.find((e) => e.type === 'stopListed');
  if (!stop) throw new Error(`${id}: expected a stopListed event, got ${events.map((e) => e.type)}`);
  const app = structuredClone(apps.get(id));
  // The fold of that one event (rules::lifecycle::evolve).
  app.status = 'stop_listed';
  app.voucher.stopListedAt = stop.at;
  app.voucher.restoreDeadline = stop.restoreDeadline;
  apps.set(id, app);
}

const entries = (list) =>
  list.map((a) => ({ id: a.id, district: a.district, queueType: a.queueType, birthDate: a.child.birthDate, right: a.right, registeredAt: a.registeredAt, status: a.status }));

/** The first `n` queued applications of a queue in allocation order, at this moment. */
function top(queueType, groupYear, n, skip = 0) {
  return rules
    .rankQueue(entries([...apps.values()]))
    .filter((r) => r.queueType === queueType && r.groupYear === groupYear)
    .slice(skip, skip + n)
    .map((r) => r.id);
}

function places(atOrBefore) {
  let n = 0;
  return placeLines
    .map((line) => ({ line, kg: kindergartens.find((k) => k.id === line.places.kindergarten) }))
    .filter(({ line, kg }) => kg && ms(line.at) <= ms(atOrBefore))
    .map(({ line, kg }) => ({
      id: `PL-${DISTRICT}-${String(++n).padStart(3, '0')}`,
      kindergarten: kg.id,
      district: kg.district,
      queueType: kg.queueType ?? 'general',
      language: line.places.language,
      groupYear: line.places.groupYear,
      count: line.places.count,
      addedAt: line.at,
      // Every demo record predates a distribution round, which published it.
      state: 'free_choice',
    }));
}

function freePlaces(placesList, applications) {
  const sums = new Map();
  const key = (kg, language, year) => JSON.stringify([kg, language, year]);
  for (const p of placesList) sums.set(key(p.kindergarten, p.language, p.groupYear), (sums.get(key(p.kindergarten, p.language, p.groupYear)) ?? 0) + p.count);
  for (const a of applications) {
    if (!a.direction || !['direction_issued', 'enrolled', 'refusal_review'].includes(a.status)) continue;
    const k = key(a.direction.kindergarten, a.direction.language, a.direction.groupYear);
    if (sums.has(k)) sums.set(k, sums.get(k) - 1);
  }
  return [...sums]
    .map(([k, free]) => {
      const [kindergarten, language, groupYear] = JSON.parse(k);
      return { kindergarten, language, groupYear, free: Math.max(0, free) };
    })
    .sort((a, b) => byteOrder(a.kindergarten, b.kindergarten) || byteOrder(a.language, b.language) || a.groupYear - b.groupYear);
}

function snapshot(at) {
  const applications = [...apps.values()].map((a) => structuredClone(a)).sort((a, b) => byteOrder(a.id, b.id));
  const placesList = places(at);
  return {
    format: 1,
    district: DISTRICT,
    generatedAt: at,
    calendarVersion: rules.calendarInfo().version,
    applications,
    positions: rules.rankQueue(entries(applications)),
    places: placesList,
    freePlaces: freePlaces(placesList, applications),
    kindergartens,
  };
}

// ---------------------------------------------------------------------------------------
// The story, in time order.

const timeline = registrations.map((r) => ({ at: r.at, run: () => register(r) }));
const story = new Map(); // role in the demo → application id
const snapshots = {};

function step(at, run) {
  timeline.push({ at, run });
}

step('2026-10-20T10:00:00+05:00', () => {
  const [id] = top('general', 2024, 1);
  story.set('enrolled', id);
  act(id, { type: 'issueVoucher' }, '2026-10-20T10:00:00+05:00');
  act(id, { type: 'confirmVoucher' }, '2026-10-21T10:15:00+05:00');
  act(id, { type: 'chooseKindergarten', kindergarten: 'KG-KOK-01', language: 'kk' }, '2026-10-22T12:40:00+05:00', {
    freePlaces: freePlaces(places('2026-10-22T12:40:00+05:00'), [...apps.values()]),
  });
  act(id, { type: 'acceptChild' }, '2026-10-22T16:05:00+05:00');
});
step(PREVIOUS_AT, () => {
  snapshots.previous = snapshot(PREVIOUS_AT);
  // The featured queued child: the last child without a privilege in the 2025 queue, who is
  // behind the first-priority child registering on 26 October.
  const queue = snapshots.previous.positions.filter((r) => r.queueType === 'general' && r.groupYear === 2025);
  story.set('queued', queue.at(-1).id);
});
step('2026-11-10T10:00:00+05:00', () => {
  const [id] = top('general', 2022, 1);
  story.set('stop_listed', id);
  act(id, { type: 'issueVoucher' }, '2026-11-10T10:00:00+05:00');
});
step('2026-11-13T00:00:30+05:00', () => stopListAt(story.get('stop_listed'), '2026-11-13T00:00:30+05:00'));
step('2026-11-12T15:20:00+05:00', () => {
  const [id] = top('general', 2022, 1, 2);
  story.set('archived', id);
  act(id, { type: 'withdraw' }, '2026-11-12T15:20:00+05:00');
});
step('2026-11-19T10:00:00+05:00', () => {
  const [confirmed] = top('general', 2022, 1);
  story.set('voucher_confirmed', confirmed);
  act(confirmed, { type: 'issueVoucher' }, '2026-11-19T10:00:00+05:00');
  act(confirmed, { type: 'confirmVoucher' }, '2026-11-20T11:30:00+05:00');
  const [direction] = top('general', 2024, 1);
  story.set('direction_issued', direction);
  act(direction, { type: 'issueVoucher' }, '2026-11-19T10:00:00+05:00');
  act(direction, { type: 'confirmVoucher' }, '2026-11-19T14:10:00+05:00');
  act(direction, { type: 'chooseKindergarten', kindergarten: 'KG-KOK-03', language: 'ru' }, '2026-11-20T09:45:00+05:00', {
    freePlaces: freePlaces(places('2026-11-20T09:45:00+05:00'), [...apps.values()]),
  });
});
step('2026-11-23T10:00:00+05:00', () => {
  const issued = [...top('general', 2022, 2), ...top('general', 2023, 1), ...top('general', 2024, 1)];
  story.set('voucher_issued', issued[0]);
  for (const id of issued) act(id, { type: 'issueVoucher' }, '2026-11-23T10:00:00+05:00');
  // A child still in the 2022 queue, who moved up as the others left it.
  story.set('queued_2022', top('general', 2022, 1, 3)[0]);
});
step(GENERATED_AT, () => {
  snapshots.current = snapshot(GENERATED_AT);
});

timeline.sort((a, b) => ms(a.at) - ms(b.at));
for (const { run } of timeline) run();

// ---------------------------------------------------------------------------------------
// Output

/** JSON with one array element per line: small diffs, readable, about half the pretty size. */
function layout(value) {
  const lines = ['{'];
  const keys = Object.keys(value);
  keys.forEach((key, i) => {
    const comma = i < keys.length - 1 ? ',' : '';
    const v = value[key];
    if (Array.isArray(v) && v.length) {
      lines.push(`  ${JSON.stringify(key)}: [`);
      v.forEach((item, j) => lines.push(`    ${JSON.stringify(item)}${j < v.length - 1 ? ',' : ''}`));
      lines.push(`  ]${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(v)}${comma}`);
    }
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

const current = snapshots.current;
const find = (id) => current.applications.find((a) => a.id === id);
const order = ['voucher_issued', 'voucher_confirmed', 'stop_listed', 'queued', 'queued_2022', 'direction_issued', 'enrolled', 'archived'];
const children = order.map((role) => {
  const app = find(story.get(role));
  return { iin: app.child.iin, application: app.id, status: app.status };
});
for (const [i, role] of order.entries()) {
  const expected = role.startsWith('queued') ? 'queued' : role;
  if (children[i].status !== expected) throw new Error(`demo story: ${role} ended as ${children[i].status}`);
}

const manifest = {
  district: DISTRICT,
  note: 'Synthetic demo data (data/demo), built by portal/tools/make-demo-snapshot.mjs with the rules WASM package.',
  snapshots: ['snapshot-KOK-previous.json', 'snapshot-KOK.json'],
  children,
};

const outputs = new Map([
  [path.join(PORTAL, 'demo', 'snapshot-KOK-previous.json'), layout(snapshots.previous)],
  [path.join(PORTAL, 'demo', 'snapshot-KOK.json'), layout(current)],
  [path.join(PORTAL, 'demo', 'index.json'), JSON.stringify(manifest, null, 2) + '\n'],
  // Reference names the page shows (districts, privilege categories), copied from data/.
  [path.join(PORTAL, 'data', 'districts.json'), readFileSync(path.join(DATA, 'districts.json'), 'utf8')],
  [path.join(PORTAL, 'data', 'categories.json'), readFileSync(path.join(DATA, 'categories.json'), 'utf8')],
]);

if (process.argv.includes('--check')) {
  const stale = [...outputs].filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text).map(([file]) => path.relative(ROOT, file));
  if (stale.length) {
    console.error(`make-demo-snapshot --check: out of date: ${stale.join(', ')} (run node portal/tools/make-demo-snapshot.mjs)`);
    process.exit(1);
  }
  console.log('make-demo-snapshot --check: up to date');
} else {
  for (const [file, text] of outputs) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(ROOT, file)} (${text.length} bytes)`);
  }
  for (const c of children) console.log(`demo child ${c.iin}  ${c.application}  ${c.status}`);
}
