// The portal in Debian's headless Chromium (playwright-core, no downloaded browser):
// IIN validation, the demo snapshot, positions and their explanation, deadlines with the
// working days left, a previewed action, ru/kk/en, phone layout. Screenshots go to
// docs/screenshots/portal-*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { launchChromium, startServe, loadRules, PORTAL, SCREENSHOTS } from '../tools/test-support.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

const manifest = JSON.parse(readFileSync(path.join(PORTAL, 'demo', 'index.json'), 'utf8'));
const child = (status) => manifest.children.find((c) => c.status === status);
const ISSUED = child('voucher_issued'); // voucher issued Mon 23 Nov 2026, confirm by Wed 25 Nov
const CONFIRMED = child('voucher_confirmed');
const STOPPED = child('stop_listed');
const QUEUED = child('queued'); // moved back one place: a first-priority child registered

let browser;
let server;
let rules;
const pageErrors = [];

before(async () => {
  rules = loadRules();
  server = await startServe();
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(options = PHONE, query = '?lang=ru') {
  const context = await browser.newContext({ ...options, locale: 'ru-RU', timezoneId: 'Asia/Almaty' });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  await page.goto(`${server.origin}/portal/${query}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.ready), '1', 'the page and its WASM rules loaded');
  return page;
}

async function loadDemo(page) {
  await page.click('#load-demo');
  await page.waitForSelector('[data-testid="snapshot-loaded"]');
}

async function showChild(page, iin) {
  await page.fill('#iin', iin);
  await page.waitForSelector(`[data-application-card]`);
}

const text = (page, selector) => page.locator(selector).first().innerText();
const shot = (page, name, fullPage = true) => page.screenshot({ path: path.join(SCREENSHOTS, `portal-${name}.png`), fullPage });

test('IIN: a valid one shows birth date and sex at once, an invalid one the rules’ error', async () => {
  const page = await open();
  await page.fill('#iin', '2211');
  assert.match(await text(page, '#iin-status'), /Введено цифр: 4 из 12/);
  await page.fill('#iin', ISSUED.iin);
  assert.match(await text(page, '#iin-status'), /ИИН верный/);
  assert.equal(await text(page, '[data-testid="iin-birth-date"]'), '23.11.2022');
  assert.equal(await text(page, '[data-testid="iin-sex"]'), 'женский');
  assert.equal(await page.getAttribute('#iin', 'aria-invalid'), null);

  const cases = [
    [ISSUED.iin.slice(0, 11) + String((Number(ISSUED.iin[11]) + 1) % 10), 'IIN_CHECKSUM'],
    ['22112366431a', 'IIN_FORMAT'],
    ['2211236643160', 'IIN_FORMAT'],
    ['221332664316', 'IIN_DATE'],
  ];
  for (const [iin, code] of cases) {
    await page.fill('#iin', iin);
    assert.match(await text(page, '#iin-status'), /ИИН неверный/, iin);
    assert.equal(await page.getAttribute('[data-testid="iin-error"]', 'data-code'), code, iin);
    assert.equal(await page.getAttribute('#iin', 'aria-invalid'), 'true');
    assert.equal(await text(page, '[data-testid="iin-error"]'), rules.validateIin(iin, 'ru').error.message);
  }
  await shot(page, 'phone-iin-invalid', false);
  await page.context().close();
});

test('demo snapshot: the child’s queue, position and why it changed', async () => {
  const page = await open();
  await loadDemo(page);
  assert.match(await text(page, '[data-testid="snapshot-loaded"]'), /г\. Кокшетау.*23\.11\.2026 18:00/);
  await showChild(page, QUEUED.iin);
  const card = page.locator('[data-application-card]');
  assert.equal(await card.getAttribute('data-application-card'), QUEUED.application);
  assert.equal(await text(page, '[data-testid="status"]'), 'В очереди');
  const position = Number(await page.getAttribute('[data-testid="position"]', 'data-position'));
  const snapshot = JSON.parse(readFileSync(path.join(PORTAL, 'demo', 'snapshot-KOK.json'), 'utf8'));
  assert.equal(position, snapshot.positions.find((p) => p.id === QUEUED.application).position);
  assert.match(await text(page, '[data-testid="position"]'), new RegExp(`^${position} из \\d+$`));
  const explain = await text(page, '[data-testid="explain"]');
  assert.match(explain, new RegExp(`было ${position - 1}, стало ${position}`));
  assert.match(explain, /Первоочередное право/);
  assert.match(explain, /новое заявление, которому порядок очереди даёт место выше/);
  await shot(page, 'phone-queued-ru');
  await page.context().close();
});

test('voucher deadlines: dates and working days left by the holiday calendar', async () => {
  const page = await open();
  await loadDemo(page);
  await showChild(page, ISSUED.iin);
  assert.equal(await text(page, '[data-testid="status"]'), 'Выдан ваучер');
  const confirm = page.locator('.deadline[data-action="confirmVoucher"]');
  assert.match(await confirm.innerText(), /25\.11\.2026 23:59/);
  // As of Monday 23 Nov: Monday, Tuesday and Wednesday are working days.
  assert.equal(await confirm.locator('[data-testid="days-left"]').getAttribute('data-working-days'), '3');
  assert.match(await confirm.innerText(), /Осталось рабочих дней: 3 \(сегодня и ещё 2\)/);
  assert.match(await confirm.innerText(), /30\.11\.2026/, 'choose deadline if confirmed today (5 working days)');
  assert.match(await text(page, '.deadlines'), /2 рабочих дней/);
  await shot(page, 'phone-ru');

  await showChild(page, STOPPED.iin);
  assert.equal(await text(page, '[data-testid="status"]'), 'В стоп-листе');
  const restore = page.locator('.deadline[data-action="restoreVoucher"]');
  // Missed on 12 Nov; 28 calendar days: until 10 Dec, 18 days counting 23 Nov.
  assert.match(await restore.innerText(), /10\.12\.2026 23:59/);
  assert.match(await restore.innerText(), /Осталось календарных дней: 18/);

  await showChild(page, CONFIRMED.iin);
  const choose = page.locator('.deadline[data-action="chooseKindergarten"]');
  assert.match(await choose.innerText(), /27\.11\.2026 23:59/);
  assert.equal(await choose.locator('[data-testid="days-left"]').getAttribute('data-working-days'), '5');
  await page.context().close();
});

test('confirm, then choose a kindergarten: a preview computed by the rules, and undo', async () => {
  const page = await open();
  await loadDemo(page);
  await showChild(page, ISSUED.iin);
  const labels = await page.locator('.actions button[data-action]').allInnerTexts();
  assert.deepEqual(labels.map((l) => l.split('\n')[0].trim()), ['Подтвердить заинтересованность', 'Отказаться от ваучера', 'Снять с очереди']);
  await page.click('button[data-action="confirmVoucher"]');
  await page.waitForSelector('[data-testid="preview"]');
  assert.equal(await text(page, '[data-testid="preview-status"]'), 'Ваучер подтверждён, выбор детского сада');
  assert.equal(await page.getAttribute('[data-testid="status"]', 'data-status'), 'voucher_confirmed');
  assert.match(await text(page, '[data-testid="preview"]'), /Рассчитано на вашем устройстве теми же правилами/);
  assert.match(await text(page, '.events'), /выбрать детский сад до 30\.11\.2026 23:59/);
  assert.match(await text(page, '.badge--preview'), /Предпросмотр/);
  await shot(page, 'phone-preview-ru');

  // Choosing offers only kindergartens with free places for the child's group year (2022).
  const options = await page.locator('form[data-action="chooseKindergarten"] label.choice').allInnerTexts();
  assert.ok(options.length >= 1);
  for (const o of options) assert.match(o, /свободно мест: [1-9]/);
  await page.click('form[data-action="chooseKindergarten"] button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.status === 'direction_issued');
  assert.equal(await text(page, '[data-testid="preview-status"]'), 'Выдано направление в ДДО');
  assert.match(await text(page, '.actions'), /Ожидается \(детский сад\): Принять в ДДО · Отказать/);

  await page.click('[data-testid="preview-reset"]');
  assert.equal(await page.getAttribute('[data-testid="status"]', 'data-status'), 'voucher_issued');
  assert.equal(await page.locator('[data-testid="preview"]').count(), 0);
  await page.context().close();
});

test('refuse and withdraw previews; withdrawing takes the child out of the queue', async () => {
  const page = await open(DESKTOP);
  await loadDemo(page);
  await showChild(page, CONFIRMED.iin);
  await page.click('button[data-action="refuseVoucher"]');
  assert.equal(await page.getAttribute('[data-testid="status"]', 'data-status'), 'archived');
  assert.match(await text(page, '.events'), /Заявление в архиве: Отказ от ваучера/);

  await showChild(page, QUEUED.iin);
  const before = await page.getAttribute('[data-testid="position"]', 'data-position');
  await page.click('button[data-action="withdraw"]');
  assert.equal(await page.getAttribute('[data-testid="status"]', 'data-status'), 'archived');
  assert.equal(await page.getAttribute('[data-testid="position"]', 'data-position'), '');
  assert.match(await text(page, '[data-testid="explain"]'), new RegExp(`было ${before}, стало —`));
  await page.context().close();
});

test('after the deadline the rules settle the voucher: restore instead of confirm', async () => {
  const page = await open(PHONE, '?lang=ru&now=2026-11-26T10:00:00%2B05:00');
  await loadDemo(page);
  assert.match(await page.inputValue('#asof'), /^2026-11-26T10:00/);
  await showChild(page, ISSUED.iin);
  assert.match(await text(page, '.deadlines'), /истёк срок до 25\.11\.2026 23:59/);
  const actions = await page.locator('.actions button[data-action]').evaluateAll((els) => els.map((e) => e.dataset.action));
  assert.deepEqual(actions, ['restoreVoucher', 'withdraw']);
  assert.match(await text(page, '.deadline[data-action="restoreVoucher"]'), /23\.12\.2026/);
  await page.context().close();
});

test('Kazakh and English: static text, statuses, the rules’ labels and messages', async () => {
  const page = await open();
  await loadDemo(page);
  await showChild(page, ISSUED.iin);
  await page.click('#lang-switch [data-lang="kk"]');
  await page.waitForFunction(() => document.documentElement.lang === 'kk');
  assert.equal(await text(page, 'h1'), 'Балабақшаға кезек');
  assert.equal(await text(page, '[data-testid="status"]'), 'Ваучер берілді');
  assert.match(await text(page, 'button[data-action="confirmVoucher"]'), /Қызығушылықты растау/);
  assert.match(await text(page, '.deadline[data-action="confirmVoucher"]'), /Қалған жұмыс күндері: 3/);
  assert.match(await text(page, '#iin-status'), /ЖСН дұрыс/);
  assert.equal(await page.getAttribute('#lang-switch [data-lang="kk"]', 'aria-pressed'), 'true');
  await shot(page, 'phone-kk');
  await page.fill('#iin', '221123664317');
  assert.equal(await text(page, '[data-testid="iin-error"]'), rules.validateIin('221123664317', 'kk').error.message);

  await page.click('#lang-switch [data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.fill('#iin', ISSUED.iin);
  assert.equal(await text(page, 'h1'), 'Kindergarten queue');
  assert.equal(await text(page, '[data-testid="status"]'), 'Voucher issued');
  assert.match(await text(page, 'button[data-action="confirmVoucher"]'), /Confirm interest/);
  assert.match(await text(page, '.deadline[data-action="confirmVoucher"]'), /Working days left: 3 \(today and 2 more\)/);
  await page.click('button[data-action="confirmVoucher"]');
  assert.equal(await text(page, '[data-testid="preview-status"]'), 'Voucher confirmed, choosing a kindergarten');
  await page.context().close();
});

test('desktop layout in English, with the chosen language kept on reload', async () => {
  const page = await open(DESKTOP, '?lang=en');
  await loadDemo(page);
  await showChild(page, CONFIRMED.iin);
  assert.match(await text(page, 'form[data-action="chooseKindergarten"]'), /Kindergarten and group language/);
  await shot(page, 'desktop-en');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.context().close();

  const ru = await open(DESKTOP, '?lang=ru');
  await loadDemo(ru);
  await showChild(ru, QUEUED.iin);
  await shot(ru, 'desktop-ru');
  await ru.context().close();
});

test('footer names the rules and calendar versions of the WASM module', async () => {
  const page = await open();
  const info = rules.calendarInfo();
  assert.equal(await text(page, '#footer-rules'), `Правила: kezek-wasm ${rules.version()}`);
  assert.equal(await text(page, '#footer-calendar'), `Календарь рабочих дней: версия ${info.version}`);
  for (const y of info.years) assert.match(await text(page, '#footer-years'), new RegExp(String(y.year)));
  assert.match(await text(page, '#footer-years'), /предварительный/);
  await page.context().close();
});

test('a snapshot file, plain JSON or the center-signed document, loads like the demo', async () => {
  const page = await open();
  const json = readFileSync(path.join(PORTAL, 'demo', 'snapshot-KOK.json'));
  await page.setInputFiles('#snapshot-file', { name: 'snapshot-KOK.json', mimeType: 'application/json', buffer: json });
  await page.waitForSelector('[data-testid="snapshot-loaded"]');
  await showChild(page, ISSUED.iin);
  assert.equal(await text(page, '[data-testid="status"]'), 'Выдан ваучер');

  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const signed = Buffer.concat([Buffer.from('KZKD'), length, json, Buffer.alloc(64, 7)]);
  await page.setInputFiles('#snapshot-file', { name: 'snapshot-KOK.kzkd', mimeType: 'application/octet-stream', buffer: signed });
  await page.waitForFunction(() => document.querySelectorAll('[data-application-card]').length === 1);
  assert.match(await text(page, '#snapshot-status'), /г\. Кокшетау/);

  await page.setInputFiles('#snapshot-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"district":1}') });
  await page.waitForSelector('.snapshot-status .notice--error');
  assert.match(await text(page, '.snapshot-status .notice--error'), /не похож на снимок района/);
  await page.context().close();
});

test('phone layout: no sideways scrolling, labelled inputs, touch targets of 44 px or more', async () => {
  const page = await open();
  await loadDemo(page);
  for (const iin of [ISSUED.iin, CONFIRMED.iin, QUEUED.iin]) {
    await showChild(page, iin);
    const { scrollWidth, width } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scrollWidth <= width, `page is ${scrollWidth}px wide in a ${width}px viewport`);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('button, select, input:not([type="file"]):not([type="radio"]), summary, .file-button, label.choice')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => ({ what: el.outerHTML.slice(0, 60), h: el.getBoundingClientRect().height }))
        .filter((x) => x.h < 44),
    );
    assert.deepEqual(small, []);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type="file"]), select')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map((el) => el.id),
    );
    assert.deepEqual(unlabelled, []);
  }
  await page.context().close();
});

test('no script error in any page of this suite', () => {
  assert.deepEqual(pageErrors, []);
});
