// The data the console tests start from, made with the real command lines only: a center
// data folder (`kezek-center init`, staff accounts, a registered kiosk) and the KOK
// office's kiosk (`kezek-kiosk`), synced by USB files. In the end KOK has children queued,
// places published and distributed once, two vouchers confirmed with a kindergarten
// chosen, both children refused by that kindergarten (two refusal reviews at the center),
// and new places waiting for the next round.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT, binary, run, runJson } from './support.mjs';

/** Staff accounts of the center: login → [role, districts, password]. */
export const STAFF = {
  admin: ['admin', [], 'admin-pass-2026'],
  'dist-kok': ['distributor', ['KOK'], 'dist-kok-pass-2026'],
  'rev-kok': ['reviewer', ['KOK'], 'rev-kok-pass-2026'],
  'rev-zer': ['reviewer', ['ZER'], 'rev-zer-pass-2026'],
  'view-kok': ['viewer', ['KOK'], 'view-kok-pass-2026'],
};
const STAFF_NAMES = {
  admin: 'Сауле Ахметова',
  'dist-kok': 'Ержан Касымов',
  'rev-kok': 'Айгүл Жұмабекова',
  'rev-zer': 'Нұрлан Сейітов',
  'view-kok': 'Ольга Ким',
};

const KIOSK_ADMIN = ['admin', 'kiosk-admin-2026'];
export const OPERATOR = ['op', 'kiosk-operator-2026'];
export const KINDERGARTEN = ['kg', 'kiosk-kindergarten-2026'];
export const KINDERGARTEN_ID = 'KG-KOK-01';
export const GROUP_YEAR = 2023;
export const REFUSAL_REASONS = ['Нет медицинской справки по форме 026/у', 'Ребёнок не явился в течение 10 дней'];

/** An instant a day ago, Astana time (before any kiosk entry): the kiosk's registration at the center. */
function dayAgo() {
  const astana = new Date(Date.now() - 86_400_000 + 5 * 3_600_000);
  return astana.toISOString().replace(/\.\d+Z$/, '+05:00');
}

/** KOK's general-queue registrations of the demo set for children born in `year`. */
export function demoChildren(year, count) {
  return readFileSync(path.join(ROOT, 'data', 'demo', 'applications.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).application)
    .filter((a) => a.district === 'KOK' && a.queueType === 'general' && a.birthDate.startsWith(String(year)) && a.right === 'none')
    .slice(0, count);
}

export function makeScenario(root) {
  const centerBin = binary('kezek-center');
  const kioskBin = binary('kezek-kiosk');
  const center = path.join(root, 'center');
  const kiosk = path.join(root, 'KOK-01');
  const file = (name) => path.join(root, name);
  const c = (args, env) => runJson(centerBin, ['--data', center, ...args], { env });
  const k = (args, options) => run(kioskBin, ['--data', kiosk, '--lang', 'en', ...args], options);
  const kJson = (args, options) => runJson(kioskBin, ['--data', kiosk, '--lang', 'en', ...args], options);
  const as = ([login, password]) => ({ env: { KEZEK_PASSWORD: password } });
  const apply = (who, commands) => {
    const out = run(kioskBin, ['--data', kiosk, '--lang', 'en', 'apply', '--json-lines', '--operator', who[0]], {
      env: { KEZEK_PASSWORD: who[1] },
      input: commands.map((command) => JSON.stringify(command)).join('\n') + '\n',
    });
    return out.stdout.trim().split('\n').map((line) => JSON.parse(line));
  };
  /** USB round trip: the kiosk's pending entries in, the ack and the district snapshot back. */
  const usb = (tag) => {
    k(['export', '--out', file(`${tag}.kzb`)]);
    c(['ingest', file(`${tag}.kzb`), '--ack-out', file(`${tag}.ack`)]);
    k(['import-ack', file(`${tag}.ack`)]);
    snapshot(tag);
  };
  const snapshot = (tag) => {
    c(['snapshot', '--district', 'KOK', '--out', file(`${tag}.snapshot`)]);
    k(['import-snapshot', file(`${tag}.snapshot`)]);
  };

  // The center: its key, no scheduled rounds (the console runs them), its staff.
  const centerKey = c(['init']).publicKey;
  writeFileSync(path.join(center, 'schedule.json'), JSON.stringify({ rounds: null }));
  for (const [login, [role, districts, password]] of Object.entries(STAFF)) {
    const args = ['operator', 'add', '--login', login, '--name', STAFF_NAMES[login], '--role', role];
    for (const d of districts) args.push('--district', d);
    c(args, { KEZEK_PASSWORD: password });
  }

  // The KOK office's kiosk, registered at the center, with the center's directory.
  const init = kJson(
    ['init', '--district', 'KOK', '--id', 'KOK-01', '--name', 'Отдел образования г. Кокшетау', '--admin', KIOSK_ADMIN[0], '--format', 'json'],
    as(KIOSK_ADMIN),
  );
  c(['kiosk', 'add', '--id', 'KOK-01', '--district', 'KOK', '--pubkey', init.publicKey, '--at', dayAgo()]);
  k(['center', 'set', '--key', centerKey]);
  snapshot('s0');
  for (const [who, role, extra] of [
    [OPERATOR, 'operator', []],
    [KINDERGARTEN, 'kindergarten', ['--kindergarten', KINDERGARTEN_ID]],
  ]) {
    k(['operator', 'add', who[0], '--name', who[0] === 'op' ? 'Айгерим Бекова' : 'Гүлнар Оспанова', '--role', role, ...extra, '--operator', KIOSK_ADMIN[0]], {
      env: { KEZEK_PASSWORD: KIOSK_ADMIN[1], KEZEK_NEW_PASSWORD: who[1] },
    });
  }

  // Six children born in 2023 and three born in 2024 join the queue; two places for 2023.
  const registered = apply(
    OPERATOR,
    [...demoChildren(GROUP_YEAR, 6), ...demoChildren(GROUP_YEAR + 1, 3)].map((application) => ({ type: 'register', application })),
  );
  const places = { kindergarten: KINDERGARTEN_ID, language: 'kk', groupYear: GROUP_YEAR, count: 2 };
  apply(KINDERGARTEN, [{ type: 'addPlaces', places }]);
  usb('u1');

  // The first round (the center's command line): two vouchers; both confirmed, the
  // kindergarten chosen, and both children refused by the kindergarten.
  const round = c(['distribute', '--district', 'KOK']);
  const refused = round.vouchers.map((v) => v.application);
  if (refused.length !== 2) throw new Error(`the first round issued ${refused.length} vouchers: ${JSON.stringify(round)}`);
  snapshot('s1');
  apply(
    OPERATOR,
    refused.flatMap((application) => [
      { type: 'act', application, action: { type: 'confirmVoucher' } },
      { type: 'act', application, action: { type: 'chooseKindergarten', kindergarten: KINDERGARTEN_ID, language: 'kk' } },
    ]),
  );
  apply(KINDERGARTEN, [
    ...refused.map((application, i) => ({ type: 'act', application, action: { type: 'refuseChild', reason: REFUSAL_REASONS[i] } })),
    { type: 'addPlaces', places },
  ]);
  usb('u2');
  const reviews = c(['review', 'list']);
  const ids = refused.map((application) => `R-${application}`);
  for (const id of ids) {
    if (!reviews.some((r) => r.id === id)) throw new Error(`no review item ${id}: ${JSON.stringify(reviews)}`);
  }
  return {
    center,
    kiosk,
    kioskBin,
    centerKey,
    registered: registered.map((r) => r.id),
    refused,
    reviewIds: ids,
    /** Registers a child of ZER at the KOK kiosk (the center quarantines it: KOK-01 does not serve ZER). */
    registerElsewhere() {
      const [application] = readFileSync(path.join(ROOT, 'data', 'demo', 'applications.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).application)
        .filter((a) => a.district === 'ZER' && a.birthDate >= '2023');
      return apply(OPERATOR, [{ type: 'register', application }]);
    },
    /** The kiosk's card of an application, as JSON. */
    card(id) {
      return kJson(['card', id, '--format', 'json']);
    },
    push(url) {
      return kJson(['push', '--url', url, '--attempts', '2']);
    },
    /** Commands at the kiosk as `who` (OPERATOR or KINDERGARTEN), one JSON result each. */
    apply,
  };
}

/** A second kiosk's data folder (its key is registered through the console). */
export function makeOtherKiosk(root, id) {
  const kioskBin = binary('kezek-kiosk');
  const dir = path.join(root, id);
  const init = runJson(
    kioskBin,
    ['--data', dir, '--lang', 'en', 'init', '--district', 'KOK', '--id', id, '--name', 'Отдел образования, филиал', '--format', 'json'],
    { env: { KEZEK_PASSWORD: KIOSK_ADMIN[1] } },
  );
  const status = runJson(kioskBin, ['--data', dir, '--lang', 'en', 'status', '--format', 'json']);
  return { publicKey: init.publicKey, fingerprint: status.fingerprint ?? init.fingerprint };
}
