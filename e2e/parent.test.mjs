// The parents' portal in connected mode, end to end: a real `kezek-center serve --portal <repo>`
// (with a signed population-registry file imported), a real KOK kiosk (`kezek-kiosk`), and the
// page driven in Debian's headless Chromium (playwright-core) on a phone (390×844).
//
// A parent signs in with the one-time code the center's notifier delivered (outbox), links
// the child the KOK office registered, registers a second child online, gets a voucher from a
// distribution round (and its message in the outbox), confirms it, chooses the kindergarten
// and signs the e-contract; the kiosk syncs and shows the direction; the kindergarten accepts
// the child at the kiosk; after the next sync the parent's page shows "enrolled". No response
// the parent's page receives, and no public queue, holds another family's IIN or phone.
// Screenshots: docs/screenshots/portal-connected-*.png.
//
// Needs the parents' API (center/src/parents/, docs/PARENTS.md), the `population` commands
// of kezek-center and the WASM package (`just wasm`); `just test-parents` builds and runs it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

import { ROOT, SCREENSHOTS, binary, launchChromium, runJson, startCenter } from './support.mjs';
import { GROUP_YEAR, KINDERGARTEN, KINDERGARTEN_ID, STAFF, demoChildren, makeScenario } from './scenario.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'ru-RU', timezoneId: 'Asia/Almaty' };
const WASM_NODE = path.join(ROOT, 'wasm-pkg', 'pkg', 'node', 'kezek.js');

let root;
let scenario;
let center;
let browser;
let page;
let context;
const problems = [];
/** Every response body the parent's page received: [url, text]. */
const received = [];
/** The family of the signed-in parent, and the child registered online. */
const family = {};

/** A valid IIN for a birth date (the rules' own check digit), not one of `taken`. */
function makeIin(rules, birth, sexDigit, serial, taken) {
  const [y, m, d] = birth.split('-');
  for (let n = serial; n < serial + 200; n++) {
    for (let check = 0; check <= 9; check++) {
      const iin = `${y.slice(2)}${m}${d}${sexDigit}${String(n).padStart(4, '0')}${check}`;
      if (!taken.has(iin) && rules.validateIin(iin).valid) return iin;
    }
  }
  throw new Error(`no IIN for ${birth}`);
}

/**
 * The population registry: a signed file of parent/child IIN pairs, trusted and imported by
 * the center's command line (seed 004's registry check). Run before `serve` (which locks the
 * data folder).
 */
function importPopulation(data, pairs) {
  const centerBin = binary('kezek-center');
  const dir = path.join(root, 'population');
  mkdirSync(dir, { recursive: true });
  const plain = path.join(dir, 'pairs.json');
  const signed = path.join(dir, 'pairs.signed');
  const key = path.join(dir, 'registry.key');
  // The registry's own key (64 hex digits) signs the file; the center trusts its public
  // key, then imports it.
  writeFileSync(key, randomBytes(32).toString('hex'));
  writeFileSync(plain, JSON.stringify(pairs.map(([parent, child]) => ({ parent, child, kinship: 'mother' }))));
  const signing = runJson(centerBin, [
    '--data', data, 'population', 'sign', '--key-file', key, '--in', plain, '--out', signed, '--issuer', 'e2e registry',
  ]);
  runJson(centerBin, ['--data', data, 'population', 'trust', signing.publicKey]);
  return runJson(centerBin, ['--data', data, 'population', 'import', signed]);
}

/**
 * Fills a field and checks the page kept the value: a re-render that lands while Playwright
 * types (the public queue's answer arriving, say) replaces the element, and what was typed
 * into the old one never reaches the page's state. A person would see the box empty and
 * type again; so does this.
 */
async function fillSettled(selector, value) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    await page.fill(selector, value);
    await page.waitForTimeout(100);
    if ((await page.inputValue(selector)) === value) return;
  }
  assert.fail(`${selector} did not keep ${value}`);
}

/** The outbox's delivered messages (one JSON object per line). */
function outbox(kind, iin) {
  const file = path.join(scenario.center, 'outbox', 'delivered.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((m) => m.kind === kind && (!iin || m.to?.iin === iin));
}

async function waitFor(what, check, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A staff API call as `login` (bearer token; the round is the staff's, not the page's). */
async function staff(login, method, url) {
  const signIn = await fetch(`${center.url}/v1/staff/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: STAFF[login][2] }),
  });
  assert.equal(signIn.status, 200, `staff sign-in of ${login}`);
  const session = await signIn.json();
  const response = await fetch(`${center.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${session.token}`, 'X-CSRF-Token': session.csrf, 'Accept-Language': 'en' },
  });
  const body = await response.json();
  assert.equal(response.status, 200, `${method} ${url}: ${JSON.stringify(body)}`);
  return body;
}

async function shot(name) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: path.join(SCREENSHOTS, `portal-connected-${name}.png`), fullPage: true });
}

/** The phone page: no sideways scroll, labelled controls, touch targets of 44 px or more. */
async function phoneChecks() {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
  assert.ok(scroll <= width, `the page is ${scroll} px wide on a ${width} px phone`);
  const bare = await page.$$eval('input, select, textarea', (els) =>
    els.filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map((e) => e.outerHTML),
  );
  assert.deepEqual(bare, [], 'controls without a label');
  const small = await page.$$eval('#connected button, #connected .choice', (els) =>
    els.filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(small, [], 'touch targets under 44 px');
}

const statusOf = (id) => page.getAttribute(`[data-application-card="${id}"] [data-testid="status"]`, 'data-status');

async function refresh() {
  await page.click('[data-testid="refresh"]');
  await page.waitForFunction(() => document.getElementById('connected')?.getAttribute('aria-busy') === 'false');
}

// ---------------------------------------------------------------------------------------

before(async () => {
  if (!existsSync(WASM_NODE)) throw new Error('the WASM package is missing: run `just wasm` (bash wasm-pkg/build.sh) first');
  root = mkdtempSync(path.join(os.tmpdir(), 'kezek-parent-'));
  scenario = makeScenario(root);
  const rules = createRequire(import.meta.url)(WASM_NODE);

  // The family: the applicant of a queued 2023 child registered at the KOK office (the third
  // of the scenario's six: the first two were refused by the kindergarten), and a second
  // child, born in 2024, that the parent registers online.
  const kiosk2023 = demoChildren(GROUP_YEAR, 6);
  const index = 2;
  const first = kiosk2023[index];
  family.parent = first.applicant.iin;
  family.phone = first.applicant.phone;
  family.firstChild = first.childIin;
  family.firstApplication = scenario.registered[index];
  const everyone = readFileSync(path.join(ROOT, 'data', 'demo', 'applications.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).application);
  const taken = new Set(everyone.flatMap((a) => [a.childIin, a.applicant.iin]));
  family.secondChild = makeIin(rules, '2024-03-15', '6', 4100, taken);
  family.onlinePhone = '+7 701 555 44 33';

  // The registry knows this family and a few others (whose links the parent must never see).
  const others = kiosk2023.filter((_, i) => i !== index).map((a) => [a.applicant.iin, a.childIin]);
  importPopulation(scenario.center, [[family.parent, family.firstChild], [family.parent, family.secondChild], ...others]);

  center = await startCenter(scenario.center, ['--portal', ROOT]);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await browser.newContext(PHONE);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Refused API calls (401 before sign-in, a wrong code) are expected; scripts errors are not.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', async (response) => {
    try {
      received.push([response.url(), (await response.body()).toString('utf8')]);
    } catch {
      /* redirects have no body */
    }
  });
});

after(async () => {
  await browser?.close();
  await center?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('the center serves the portal in connected mode with its policies', async () => {
  const index = await fetch(`${center.url}/portal/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('x-kezek-portal'), 'connected');
  assert.match(index.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  const wasm = await fetch(`${center.url}/wasm-pkg/pkg/web/kezek_core_bg.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.equal((await fetch(`${center.url}/portal/../Cargo.toml`)).status, 404, 'fetch normalises ..; the Rust test sends it raw');
  const me = await fetch(`${center.url}/v1/parent/me`);
  assert.equal(me.status, 401);
  assert.equal((await me.json()).error.code, 'UNAUTHENTICATED');
});

test('a parent signs in with the code from the outbox', async () => {
  await page.goto(`${center.url}/portal/?lang=ru`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
  await page.waitForSelector('[data-testid="signin"]');
  assert.equal(await page.isHidden('#iin'), true, 'the demo panels are hidden in connected mode');
  await phoneChecks();
  await shot('signin');

  await page.fill('#c-parent-iin', family.parent);
  await page.click('[data-testid="send-code"]');
  await page.waitForSelector('#c-code');
  const message = await waitFor('the sign-in code', () => outbox('signInCode', family.parent).at(-1));
  assert.equal(message.to.iin, family.parent);
  const code = message.text.match(/\b(\d{6})\b/)?.[1];
  assert.ok(code, `a 6-digit code in: ${message.text}`);

  // A wrong code first: the server's message and code are shown.
  await page.fill('#c-code', code === '000000' ? '111111' : '000000');
  await page.click('[data-testid="sign-in"]');
  await page.waitForSelector('[data-testid="error"]');
  assert.ok(await page.getAttribute('[data-testid="error"]', 'data-code'));
  await shot('code-wrong');

  await page.fill('#c-code', code);
  await page.click('[data-testid="sign-in"]');
  await page.waitForSelector('[data-testid="applications"]');
  assert.match(await page.textContent('[data-testid="parent-iin"]'), new RegExp(family.parent));
});

test('the parent links the child the office registered and sees its application', async () => {
  await page.click('[data-view="children"]');
  await fillSettled('#c-child-iin', family.firstChild);
  await page.click('[data-testid="link-child"]');
  await page.waitForSelector(`[data-child="${family.firstChild}"]`);
  // An IIN the registry does not pair with this parent is refused with the server's words.
  await page.fill('#c-child-iin', family.firstChild.slice(0, 11) + String((Number(family.firstChild[11]) + 1) % 10));
  await page.click('[data-testid="link-child"]');
  await page.waitForSelector('[data-testid="error"], #c-child-iin-note[data-code]');
  await phoneChecks();
  await shot('children');

  await page.click('[data-view="applications"]');
  await refresh();
  await page.waitForSelector(`[data-application-card="${family.firstApplication}"]`);
  assert.equal(await statusOf(family.firstApplication), 'queued');
  assert.match(await page.textContent(`[data-application-card="${family.firstApplication}"] [data-testid="position"]`), /^\d+ из \d+$/);
  await shot('applications');
});

test('the parent registers the second child online', async () => {
  await page.click('[data-view="children"]');
  await fillSettled('#c-child-iin', family.secondChild);
  await page.click('[data-testid="link-child"]');
  // The child, or the page's error (its code and message make the failure readable).
  await page.waitForSelector(`[data-child="${family.secondChild}"], [data-testid="error"]`);
  const linkError = await page.$('[data-testid="error"]');
  if (linkError) assert.fail(`linking failed: ${await linkError.getAttribute('data-code')}: ${await linkError.textContent()}`);
  const childrenText = await page.textContent('[data-testid="children"]');
  assert.doesNotMatch(childrenText, /NaN|undefined|null/, 'the linked children read as text');
  await page.click('[data-view="register"]');
  await page.selectOption('#reg-childIin', family.secondChild);
  assert.equal(await page.inputValue('#reg-birthDate'), '2024-03-15', 'the birth date from the IIN');
  await page.fill('#reg-childName', 'Сейтқали Айша Нұрланқызы');
  await page.selectOption('#reg-district', 'KOK');
  await page.fill('#reg-applicantName', 'Сейтқали Динара Маратқызы');
  await page.selectOption('#reg-kinship', 'mother');
  // No phone and no address: the rules refuse it on the device (their message), then a good one.
  await page.fill('#reg-address', '');
  await page.click('[data-testid="reg-check"]');
  await page.waitForSelector('[data-testid="reg-error"]');
  await page.fill('#reg-phone', family.onlinePhone);
  await page.fill('#reg-address', 'г. Кокшетау, мкр. Центральный, д. 5, кв. 12');
  await page.click('[data-testid="reg-check"]');
  await page.waitForSelector('[data-testid="reg-preview"]');
  await phoneChecks();
  await shot('register');
  await page.click('[data-testid="reg-send"]');
  await page.waitForSelector('[data-testid="applications"] [data-application-card*="-WEB-"]');
  family.secondApplication = await page.getAttribute('[data-application-card*="-WEB-"]', 'data-application-card');
  assert.match(family.secondApplication, /^KOK-WEB-\d{4}-\d+$/);
  assert.equal(await statusOf(family.secondApplication), 'queued');
});

test('a distribution round issues a voucher; the parent confirms, chooses and signs', async () => {
  const round = await staff('dist-kok', 'POST', '/v1/staff/districts/KOK/distribution');
  const vouchers = round.vouchers.map((v) => v.application);
  assert.ok(vouchers.includes(family.firstApplication), `the round's vouchers ${vouchers} include ${family.firstApplication}`);
  const message = await waitFor('the voucher message', () => outbox('voucherIssued', family.parent).at(-1));
  assert.match(message.text, new RegExp(family.firstApplication.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

  await refresh();
  const card = `[data-application-card="${family.firstApplication}"]`;
  assert.equal(await statusOf(family.firstApplication), 'voucher_issued');
  await page.waitForSelector(`${card} .deadline[data-action="confirmVoucher"]`);

  // Confirm: the preview (local rules), then the center's answer.
  await page.click(`${card} button[data-action="confirmVoucher"]`);
  await page.waitForSelector(`${card} [data-testid="preview-status"][data-status="voucher_confirmed"]`);
  await shot('preview');
  await page.click(`${card} [data-testid="send"]`);
  await page.waitForSelector(`${card} [data-testid="status"][data-status="voucher_confirmed"]`);

  // Choose: the center's choices, the e-contract, "I accept and sign".
  await page.click(`${card} button[data-action="chooseKindergarten"]`);
  await page.waitForSelector(`${card} [data-testid="show-contract"]`);
  await page.check(`${card} input[type="radio"][value="${KINDERGARTEN_ID}|kk"]`);
  await page.click(`${card} [data-testid="show-contract"]`);
  await page.waitForSelector(`${card} [data-testid="contract"]`);
  assert.ok((await page.textContent(`${card} [data-testid="contract"]`)).length > 100, 'the contract text is shown');
  assert.equal(await page.isDisabled(`${card} [data-testid="sign"]`), true, 'no signature before "I have read"');
  await page.check(`${card} [data-testid="agree"]`);
  await phoneChecks();
  await shot('contract');
  await page.click(`${card} [data-testid="sign"]`);
  await page.waitForSelector(`${card} [data-testid="status"][data-status="direction_issued"]`);
  // The direction names the kindergarten as the parent knows it, not by its id.
  const direction = await page.textContent(`${card} [data-testid="direction"]`);
  assert.match(direction, /Балдәурен/, direction);
  assert.doesNotMatch(direction, new RegExp(KINDERGARTEN_ID), direction);
  await shot('direction');
});

test('the kiosk syncs, shows the direction, the kindergarten accepts; the page shows enrolled', async () => {
  scenario.push(center.url);
  const card = scenario.card(family.firstApplication);
  assert.equal(card.status ?? card.application?.status, 'direction_issued', JSON.stringify(card).slice(0, 400));
  assert.match(JSON.stringify(card), new RegExp(KINDERGARTEN_ID));
  const [accepted] = scenario.apply(KINDERGARTEN, [{ type: 'act', application: family.firstApplication, action: { type: 'acceptChild' } }]);
  assert.ok(!accepted.error, JSON.stringify(accepted));
  scenario.push(center.url);

  await refresh();
  assert.equal(await statusOf(family.firstApplication), 'enrolled');
  assert.match(await page.textContent(`[data-application-card="${family.firstApplication}"] [data-testid="status"]`), /Принят в ДДО/);
  await phoneChecks();
  await shot('enrolled');
  await page.click('#lang-switch [data-lang="kk"]');
  await page.waitForSelector('[data-testid="status"][data-status="enrolled"]');
  await shot('enrolled-kk');
  await page.click('#lang-switch [data-lang="ru"]');
});

test('privacy: the parent never receives another family’s IIN or phone, nor does the public queue', async () => {
  const everyone = readFileSync(path.join(ROOT, 'data', 'demo', 'applications.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).application);
  const own = new Set([family.parent, family.firstChild, family.secondChild, family.phone, family.onlinePhone]);
  const secrets = new Set();
  for (const a of everyone) {
    for (const value of [a.childIin, a.applicant.iin, a.applicant.phone]) if (!own.has(value)) secrets.add(value);
  }
  for (const m of outbox()) for (const value of [m.to?.iin, m.to?.phone]) if (value && !own.has(value)) secrets.add(value);
  const digits = (s) => s.replace(/\D/g, '');
  const forms = [...secrets].flatMap((s) => (/^\+?\d[\d ()-]+$/.test(s) && !/^\d{12}$/.test(s) ? [s, digits(s)] : [s]));

  const publicQueue = await fetch(`${center.url}/v1/public/districts/KOK/queue`);
  const bodies = [...received, [publicQueue.url, Buffer.from(await publicQueue.arrayBuffer()).toString('utf8')]];
  assert.ok(received.some(([url]) => url.includes('/v1/parent/me')), 'the page read /v1/parent/me');
  for (const [url, text] of bodies) {
    if (url.includes('/wasm-pkg/') || url.endsWith('.js') || url.endsWith('.css')) continue;
    for (const secret of forms) assert.ok(!text.includes(secret), `${url} contains another family's ${secret}`);
  }
});

test('sign out; no script error on the way', async () => {
  await page.click('[data-testid="sign-out"]');
  await page.waitForSelector('#c-parent-iin');
  const me = await page.evaluate(async () => (await fetch('/v1/parent/me')).status);
  assert.equal(me, 401);
  assert.deepEqual(problems, []);
  await context.close();
});
