// The frame: header, navigation, routing, the district picker and the page skeleton.

import { ApiError } from './api.js';
import { fill, h } from './dom.js';
import { districtName, label, t } from './i18n.js';
import { renderSignIn } from './sign-in.js';
import { state } from './state.js';
import { errorBox, showNotice } from './ui.js';

const DISTRICT_KEY = 'kezek.console.district';

/** The console's pages, each shown to whoever `may` do its action (GET /v1/staff/me): { id, may, render }. */
const PAGES = [];

/** Adds the console's pages (console.js lists them), in the navigation's order. */
export function addPages(...pages) {
  PAGES.push(...pages);
}

function may(action) {
  return Boolean(state.me?.may?.includes(action));
}

export function go(hash) {
  const target = `#/${hash}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] ?? '', args: parts.slice(1) };
}

function drawFrame(current) {
  document.getElementById('brand-text').textContent = t('app.brand');
  document.getElementById('lang-label').textContent = t('lang.label');
  document.getElementById('lang').value = state.lang;
  const who = document.getElementById('who');
  const signOut = document.getElementById('sign-out');
  const nav = document.getElementById('nav');
  signOut.textContent = t('signOut');
  nav.setAttribute('aria-label', t('nav.label'));
  if (!state.me) {
    who.textContent = '';
    signOut.hidden = true;
    nav.hidden = true;
    nav.replaceChildren();
    return;
  }
  const user = state.me.user;
  who.textContent = t('user.signedInAs', { name: user.name, role: label('role', user.role) });
  signOut.hidden = false;
  nav.hidden = false;
  const items = PAGES.filter((p) => may(p.may)).map((p) =>
    h(
      'li',
      {},
      h(
        'a',
        {
          href: `#/${p.id}`,
          'data-nav': p.id,
          'aria-current': p.id === current ? 'page' : null,
        },
        t(`nav.${p.id}`),
      ),
    ),
  );
  fill(nav, h('ul', {}, items));
}

export function firstPage() {
  return PAGES.find((p) => may(p.may))?.id ?? 'dashboard';
}

/** The district a page opens with: the one asked for, else the last one used, else the first. */
export function pickDistrict(asked) {
  const districts = state.me?.districts ?? [];
  if (asked) return asked;
  let saved = null;
  try {
    saved = localStorage.getItem(DISTRICT_KEY);
  } catch {
    saved = null;
  }
  return districts.includes(saved) ? saved : districts[0];
}

export function rememberDistrict(district) {
  try {
    localStorage.setItem(DISTRICT_KEY, district);
  } catch {
    // No storage.
  }
}

export function districtPicker(current, page) {
  const districts = state.me?.districts ?? [];
  const select = h(
    'select',
    {
      id: 'district',
      onchange: (e) => {
        rememberDistrict(e.target.value);
        go(`${page}/${encodeURIComponent(e.target.value)}`);
      },
    },
    districts.map((d) => h('option', { value: d, selected: d === current }, `${districtName(d)} (${d})`)),
  );
  return h('div', { class: 'picker' }, h('label', { for: 'district' }, t('common.district')), select);
}

/** The page's skeleton: a heading (focused after navigation), tools beside it, a body. */
export function page(title, { tools = [], lead } = {}) {
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, title);
  const body = h('div', { class: 'page-body' }, h('p', { class: 'muted' }, t('app.loading')));
  const main = document.getElementById('main');
  fill(main,
    h('div', { class: 'page-head' }, heading, h('div', { class: 'tools' }, tools)),
    lead ? h('p', { class: 'lead' }, lead) : null,
    body,
  );
  return { heading, body };
}

export async function render() {
  const seq = ++state.renderSeq;
  const alive = () => seq === state.renderSeq;
  const { page: id, args } = route();
  const where = location.hash;
  const moved = where !== state.lastRoute;
  state.lastRoute = where;
  drawFrame(id);
  if (!state.me) {
    if (id !== 'sign-in') {
      location.replace('#/sign-in');
      return;
    }
    renderSignIn();
    showNotice();
    return;
  }
  if (id === '' || id === 'sign-in') {
    location.replace(`#/${firstPage()}`);
    return;
  }
  const def = PAGES.find((p) => p.id === id);
  const main = document.getElementById('main');
  if (!def) {
    fill(main, h('h1', { tabindex: '-1', id: 'page-title' }, t('page.notFound')));
  } else if (!may(def.may)) {
    fill(main,
      h('h1', { tabindex: '-1', id: 'page-title' }, t(`nav.${def.id}`)),
      h('p', { class: 'error', role: 'alert', 'data-testid': 'forbidden' }, t('page.forbidden')),
    );
  } else {
    const rendering = def.render(args, alive);
    if (moved) document.getElementById('page-title')?.focus();
    showNotice();
    try {
      await rendering;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (alive() && !error.handled) {
        main.querySelector('.page-body')?.replaceChildren(errorBox(error));
      }
    }
    return;
  }
  if (moved) document.getElementById('page-title')?.focus();
  showNotice();
}
