// Helpers of the staff console's browser tests (console.test.mjs): opening the console and
// signing in, calling the staff API from a page, moving between pages, screenshots, and the
// checks every page passes (it fits the screen, controls are labelled, tables have headers,
// actions are buttons, the keyboard focus shows).

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';

import { SCREENSHOTS } from './support.mjs';
import { STAFF } from './scenario.mjs';

/** An office screen: 1366×768, Russian, Kazakhstan's time. */
const SCREEN = { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: 'ru-RU', timezoneId: 'Asia/Almaty' };

/**
 * Opens console pages in `browser` against the center at `center.url` (read when a page opens).
 * Script errors, and console errors other than refused API calls, go into `problems`.
 */
export function consoleOpener(browser, center, problems) {
  async function open(lang = 'ru') {
    const context = await browser.newContext(SCREEN);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Refused API calls (401, 403) are expected in these tests; anything else is a problem.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${center.url}/console/${lang ? `?lang=${lang}` : ''}`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
    return { context, page };
  }

  async function signIn(login, lang = 'ru') {
    const session = await open(lang);
    const { page } = session;
    await page.fill('#login', login);
    await page.fill('#password', STAFF[login][2]);
    await page.click('#sign-in');
    await page.waitForSelector('nav [data-nav]');
    await page.waitForSelector('.page-body > :not(p.muted:only-child)');
    return session;
  }

  return { open, signIn };
}

/** The navigation entries shown. */
export const navEntries = (page) => page.$$eval('nav [data-nav]', (links) => links.map((a) => a.dataset.nav));

/** A staff API call from the page (its cookie), with the session's CSRF token unless `csrf` is false. */
export function call(page, method, url, { csrf = true, token, body } = {}) {
  return page.evaluate(
    async ({ method, url, csrf, token, body }) => {
      const headers = { 'Accept-Language': 'en' };
      if (csrf) headers['X-CSRF-Token'] = token ?? (await (await fetch('/v1/staff/me')).json()).csrf;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, url, csrf, token, body },
  );
}

export async function go(page, hash, ready) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForSelector(ready);
}

export async function confirm(page) {
  await page.waitForSelector('dialog[open]');
  await page.click('dialog[open] [data-testid="confirm-ok"]');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
}

export async function shot(page, name) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
}

/** The page fits the 1366 px wide screen: no horizontal scrolling. */
export async function fitsScreen(page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `the page is ${scroll} px wide on a ${width} px screen`);
}

/** Every form control has a label (or an accessible name). */
export async function labelled(page) {
  const bare = await page.$$eval('input, select, textarea', (els) =>
    els.filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map((e) => e.outerHTML),
  );
  assert.deepEqual(bare, [], 'controls without a label');
}

/** Every table has column headers. */
export async function tablesHaveHeaders(page) {
  const bare = await page.$$eval('table', (tables) => tables.filter((t) => !t.querySelector('thead th')).map((t) => t.outerHTML.slice(0, 120)));
  assert.deepEqual(bare, [], 'tables without headers');
}

/** Every action is a button: nothing else is made clickable or focusable by hand. */
export async function actionsAreButtons(page) {
  const odd = await page.$$eval('[role="button"], [onclick], div[tabindex]:not([tabindex="-1"]), span[tabindex]:not([tabindex="-1"]), td[tabindex], tr[tabindex]', (els) =>
    els.map((e) => e.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(odd, [], 'clickable elements that are not buttons');
  const actions = await page.$$eval('[data-revoke], [data-disable], [data-reexamine], #dry-run, #run-round, #uphold, #overrule, #check-key, #add-kiosk, #add-user, #sign-in, #sign-out', (els) =>
    els.filter((e) => e.tagName !== 'BUTTON').map((e) => e.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(actions, [], 'actions that are not buttons');
}

/** What has the keyboard focus, and whether it shows: a focus ring (outline or box-shadow) drawn for `:focus-visible`. */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { what: 'nothing', visible: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    return {
      what: el.id ? `#${el.id}` : el.dataset.nav ? `[data-nav="${el.dataset.nav}"]` : el.outerHTML.slice(0, 80),
      visible: el.matches(':focus-visible') && (outline || shadow),
      ring: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor} / ${style.boxShadow}`,
    };
  });
}

/**
 * Presses Tab until `selector` has the focus; every stop on the way shows its focus. Past the
 * last control the focus leaves the page once (to the browser) before it comes round again.
 */
export async function tabTo(page, selector, stops = 40) {
  let outside = 0;
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.what === 'nothing') {
      outside += 1;
      assert.ok(outside === 1, `Tab left the page twice on the way to ${selector}`);
      continue;
    }
    outside = 0;
    assert.ok(now.visible, `focus not visible on ${now.what} (${now.ring})`);
    if (await page.evaluate((sel) => document.activeElement?.matches(sel), selector)) return;
  }
  assert.fail(`${selector} not reached with ${stops} presses of Tab`);
}

export const cellTexts = (page, selector) => page.$$eval(selector, (cells) => cells.map((c) => c.textContent.trim()));

/** A fresh ed25519 public key, hex (a kiosk that is not set up yet). */
export function rawKey() {
  const { publicKey } = generateKeyPairSync('ed25519');
  return Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('hex');
}
