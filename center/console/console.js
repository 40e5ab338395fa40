// Kezek center: the staff web console. A static page over the staff API (/v1/staff/…).
// Every figure, deadline, day count, warning, position and permission on these pages is
// the API's answer: this file asks, shows the answers in ru/kk/en, and sends the staff's
// decisions. It decides nothing itself (the center asks `rules` for all of it).

const LANGS = ['ru', 'kk', 'en'];
const LANG_KEY = 'kezek.console.lang';
const DISTRICT_KEY = 'kezek.console.district';
const API = '/v1/staff';
const AUDIT_LIMITS = [50, 200, 1000];

/** The console's pages, each shown to whoever `may` do its action (GET /v1/staff/me). */
const PAGES = [
  { id: 'dashboard', may: 'view_stats', render: renderDashboard },
  { id: 'reviews', may: 'review', render: renderReviews },
  { id: 'distribution', may: 'distribute', render: renderDistribution },
  { id: 'kiosks', may: 'manage_kiosks', render: renderKiosks },
  { id: 'quarantine', may: 'run_center', render: renderQuarantine },
  { id: 'users', may: 'manage_users', render: renderUsers },
  { id: 'audit', may: 'view_audit', render: renderAudit },
];

const state = {
  lang: 'ru',
  dict: {},
  /** GET /v1/staff/me: user, districts, districtNames, may, csrf. */
  me: null,
  /** A message for the next page shown: { kind: 'ok' | 'error', text }. */
  notice: null,
  /** District → the last dry run's plan (until the round is run). */
  plans: new Map(),
  /** District → the last round's result. */
  rounds: new Map(),
  /** The fingerprint shown for a key in the kiosk form: { key, fingerprint }. */
  checkedKey: null,
  showDecided: false,
  auditLimit: 200,
  /** Each render has a number; an answer arriving for an older render is dropped. */
  renderSeq: 0,
  lastRoute: '',
};

// ---------------------------------------------------------------------------------------
// Small helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** Replaces `el`'s children (null, undefined and false are skipped). */
function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function t(key, params = {}) {
  const text = state.dict[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** A text with a number in it, in the language's plural form. */
function tn(key, n) {
  const form = new Intl.PluralRules(state.lang).select(n);
  const full = `${key}.${form}`;
  return t(full in state.dict ? full : `${key}.other`, { n });
}

/** A text of a code (status, queue type, …), or the code itself when there is none. */
function label(prefix, code) {
  const key = `${prefix}.${code}`;
  return key in state.dict ? t(key) : code;
}

/** An RFC 3339 instant from the API as the Astana wall clock it carries ("03.12.2026 18:00"). */
function when(instant) {
  if (!instant) return t('common.none');
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(instant);
  if (!m) return instant;
  const [, y, mo, d, hh, mm, offset] = m;
  const text = `${d}.${mo}.${y} ${hh}:${mm}`;
  return offset === '+05:00' ? text : `${text} (UTC${offset === 'Z' ? '' : offset})`;
}

/** `when` as a <time> element (kept on one line). */
function stamp(instant) {
  return instant ? h('time', { datetime: instant }, when(instant)) : t('common.none');
}

/** A date (YYYY-MM-DD) as DD.MM.YYYY. */
function day(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (date ?? t('common.none'));
}

function districtName(code) {
  const names = state.me?.districtNames?.[code];
  return names?.[state.lang] ?? names?.ru ?? code;
}

function may(action) {
  return Boolean(state.me?.may?.includes(action));
}

function go(hash) {
  const target = `#/${hash}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function table(headers, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, rows),
  );
}

function badge(text, tone) {
  return h('span', { class: `badge ${tone}` }, text);
}

// ---------------------------------------------------------------------------------------
// The staff API

class ApiError extends Error {
  constructor(status, code, serverMessage) {
    super(`${status} ${code}: ${serverMessage}`);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

/** One request to the staff API with the session cookie (and, for changes, the CSRF token). */
async function api(method, path, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': state.lang };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && state.me?.csrf) headers['X-CSRF-Token'] = state.me.csrf;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e.message);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data?.error?.code ?? 'UNKNOWN', data?.error?.message ?? '');
    // Seconds to wait (429 at sign-in, 503 when busy), as the center says in `Retry-After`.
    const wait = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    if (Number.isInteger(wait) && wait > 0) error.retryAfter = wait;
    if (response.status === 401 && path !== '/session' && state.me) {
      sessionEnded();
      error.handled = true;
    }
    throw error;
  }
  return data;
}

/** The session is gone (expired, ended elsewhere, account disabled): back to sign-in. */
function sessionEnded() {
  forget();
  state.notice = { kind: 'error', text: t('signIn.expired') };
  go('sign-in');
}

function forget() {
  state.me = null;
  state.plans.clear();
  state.rounds.clear();
  state.checkedKey = null;
}

/** Codes whose message the center already gives in the page's language (`Accept-Language`). */
const LOCALIZED_BY_CENTER = new Set(['FORBIDDEN_ROLE', 'OUT_OF_DISTRICT', 'DISTRICTS_REQUIRED', 'OWN_ACCOUNT', 'LAST_ADMIN']);

/** An error as the staff reads it: the code's text, and (for the center's English details) its own words under it. */
function errorBox(error) {
  const key = `error.${error.code}`;
  const known = key in state.dict;
  const main = known ? t(key) : error.serverMessage || t('error.UNKNOWN');
  // A wait the center gives (`Retry-After`) is said in the page's language instead of its English words.
  const seconds = error.retryAfter;
  const wait = !seconds ? '' : seconds < 120 ? t('error.retryInSeconds', { seconds }) : t('error.retryIn', { minutes: Math.ceil(seconds / 60) });
  const detail = !wait && known && !LOCALIZED_BY_CENTER.has(error.code) && error.serverMessage !== main ? error.serverMessage : '';
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-error-code': error.code },
    h('p', {}, main),
    wait ? h('p', { class: 'detail', 'data-testid': 'retry-after' }, wait) : null,
    detail ? h('p', { class: 'detail' }, t('error.detail', { message: detail })) : null,
  );
}

function showError(slot, error) {
  if (!(error instanceof ApiError)) throw error;
  // A session that ended has sent the page to sign-in already.
  if (error.handled) return;
  fill(slot, errorBox(error));
}

/** Runs `action` with `button` disabled meanwhile; its error goes to `slot`. */
async function busy(button, slot, action) {
  clearNotice();
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  slot?.replaceChildren();
  try {
    return await action();
  } catch (error) {
    if (slot) showError(slot, error);
    else throw error;
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A modal question (native <dialog>: focus kept inside, Escape cancels). */
function confirmDialog(title, text, confirmLabel, tone = 'primary') {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', class: tone, value: 'ok', 'data-testid': 'confirm-ok' }, confirmLabel);
    const cancel = h('button', { type: 'submit', class: 'secondary', value: 'cancel' }, t('common.cancel'));
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, title),
        h('p', {}, text),
        h('div', { class: 'buttons' }, cancel, ok),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

function showNotice() {
  const slot = document.getElementById('notice');
  slot.replaceChildren();
  slot.className = 'notice';
  if (!state.notice) return;
  slot.classList.add(state.notice.kind, 'shown');
  slot.append(state.notice.text);
  state.notice = null;
}

function clearNotice() {
  const slot = document.getElementById('notice');
  slot.replaceChildren();
  slot.className = 'notice';
}

// ---------------------------------------------------------------------------------------
// Language

async function loadLanguage(lang) {
  const response = await fetch(`i18n/${lang}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`i18n/${lang}.json: ${response.status}`);
  state.dict = await response.json();
  state.lang = lang;
  document.documentElement.lang = lang;
  document.title = t('app.title');
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(asked)) return asked;
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // No storage: fall through.
  }
  const browser = (navigator.language || '').slice(0, 2);
  return LANGS.includes(browser) ? browser : 'ru';
}

// ---------------------------------------------------------------------------------------
// The frame: header, navigation, routing

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

function firstPage() {
  return PAGES.find((p) => may(p.may))?.id ?? 'dashboard';
}

/** The district a page opens with: the one asked for, else the last one used, else the first. */
function pickDistrict(asked) {
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

function rememberDistrict(district) {
  try {
    localStorage.setItem(DISTRICT_KEY, district);
  } catch {
    // No storage.
  }
}

function districtPicker(current, page) {
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
function page(title, { tools = [], lead } = {}) {
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

async function render() {
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

// ---------------------------------------------------------------------------------------
// Sign-in and sign-out

function renderSignIn() {
  const slot = h('div', { class: 'slot' });
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, t('signIn.submit'));
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(submit, slot, async () => {
          await api('POST', '/session', { login: login.value.trim(), password: password.value });
          state.me = await api('GET', '/me');
          password.value = '';
          go(firstPage());
        });
      },
    },
    h('h1', { tabindex: '-1', id: 'page-title' }, t('signIn.heading')),
    h('p', { class: 'lead' }, t('signIn.lead')),
    h('div', { class: 'field' }, h('label', { for: 'login' }, t('signIn.login')), login),
    h('div', { class: 'field' }, h('label', { for: 'password' }, t('signIn.password')), password),
    slot,
    h('div', { class: 'buttons' }, submit),
  );
  document.getElementById('main').replaceChildren(h('div', { class: 'sign-in-wrap' }, form));
  login.focus();
}

async function signOut() {
  const button = document.getElementById('sign-out');
  button.disabled = true;
  try {
    await api('DELETE', '/session');
  } catch (error) {
    // An ended session is signed out already; anything else is shown after the switch.
    if (!(error instanceof ApiError) || error.status !== 401) state.notice = { kind: 'error', text: errorBox(error).textContent };
  } finally {
    button.disabled = false;
  }
  forget();
  state.notice ??= { kind: 'ok', text: t('signIn.signedOut') };
  go('sign-in');
}

// ---------------------------------------------------------------------------------------
// Charts: horizontal bars in inline SVG, with the same figures as a table beside them

function barChart(title, rows) {
  const width = 520;
  const rowHeight = 28;
  const labelWidth = 220;
  const valueWidth = 48;
  const height = rows.length * rowHeight + 8;
  const top = Math.max(1, ...rows.map((r) => r.value));
  const span = width - labelWidth - valueWidth - 12;
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      class: 'chart',
      role: 'img',
      'aria-label': title,
      preserveAspectRatio: 'xMinYMin meet',
    },
    s('title', {}, title),
    rows.map((row, i) => {
      const y = 4 + i * rowHeight;
      const bar = row.value > 0 ? Math.max(3, (row.value / top) * span) : 0;
      return s(
        'g',
        { class: `bar-row ${row.tone ?? ''}` },
        s('title', {}, `${row.label}: ${row.value}`),
        s('text', { x: labelWidth - 10, y: y + rowHeight / 2, class: 'bar-label', 'text-anchor': 'end', 'dominant-baseline': 'central' }, row.label),
        s('rect', { x: labelWidth, y: y + 5, width: bar, height: rowHeight - 10, rx: 3, class: 'bar' }),
        s('text', { x: labelWidth + bar + 8, y: y + rowHeight / 2, class: 'bar-value', 'dominant-baseline': 'central' }, String(row.value)),
      );
    }),
  );
  return svg;
}

function chartFigure(title, chartTitle, rows, headers, tableRows, testid) {
  return h(
    'figure',
    { class: 'card chart-card', 'data-testid': testid },
    h('figcaption', {}, h('h2', {}, title)),
    barChart(chartTitle, rows),
    h('details', {}, h('summary', {}, t('common.showTable')), table(headers, tableRows)),
  );
}

const STATUS_TONES = {
  queued: 'blue',
  voucher_issued: 'amber',
  voucher_confirmed: 'amber',
  stop_listed: 'red',
  direction_issued: 'violet',
  refusal_review: 'red',
  enrolled: 'green',
  departed: 'grey',
  archived: 'grey',
};

// ---------------------------------------------------------------------------------------
// Dashboard

function kioskState(k) {
  if (k.revoked) return badge(t('kiosk.revoked'), 'grey');
  if (k.warning) return badge(`⚠ ${t('kiosk.warning')}`, 'red');
  return badge(t('kiosk.ok'), 'green');
}

function offline(k) {
  return k.offlineDays === undefined || k.offlineDays === null ? t('kiosk.neverSeen') : tn('days', k.offlineDays);
}

async function renderDashboard(args, alive) {
  const district = pickDistrict(args[0]);
  if (!district) return;
  const { body } = page(t('dashboard.heading', { district: districtName(district) }), {
    tools: [
      districtPicker(district, 'dashboard'),
      h('button', { type: 'button', class: 'secondary', onclick: () => render() }, t('common.refresh')),
    ],
  });
  const d = await api('GET', `/districts/${encodeURIComponent(district)}/dashboard`);
  if (!alive()) return;
  rememberDistrict(district);
  const count = (status) => d.statuses.find((row) => row.status === status)?.count ?? 0;
  const warned = d.kiosks.filter((k) => k.warning).length;
  const card = (key, value, tone, testid) =>
    h('div', { class: `stat ${value > 0 ? tone : ''}`, 'data-testid': testid }, h('span', { class: 'stat-value' }, String(value)), h('span', { class: 'stat-label' }, t(key)));

  const queueRows = d.queues.map((q) => ({
    label: `${q.groupYear} · ${label('queueType', q.queueType)}`,
    value: q.queued,
    tone: 'blue',
  }));
  const queues = d.queues.length
    ? chartFigure(
        t('dashboard.queues.heading'),
        t('dashboard.queues.chart'),
        queueRows,
        [t('dashboard.queues.year'), t('dashboard.queues.type'), t('dashboard.queues.queued')],
        d.queues.map((q) => h('tr', {}, h('td', {}, q.groupYear), h('td', {}, label('queueType', q.queueType)), h('td', { class: 'num' }, q.queued))),
        'queue-chart',
      )
    : h('section', { class: 'card' }, h('h2', {}, t('dashboard.queues.heading')), h('p', { class: 'muted' }, t('dashboard.queues.empty')));
  const statuses = chartFigure(
    t('dashboard.statuses.heading'),
    t('dashboard.statuses.chart'),
    d.statuses.map((row) => ({ label: label('status', row.status), value: row.count, tone: STATUS_TONES[row.status] })),
    [t('dashboard.statuses.status'), t('dashboard.statuses.count')],
    d.statuses.map((row) => h('tr', {}, h('td', {}, label('status', row.status)), h('td', { class: 'num' }, row.count))),
    'status-chart',
  );

  const vouchers = h(
    'section',
    { class: 'card', 'data-testid': 'vouchers' },
    h('h2', {}, t('dashboard.vouchers.heading')),
    d.vouchers.length
      ? h(
          'div',
          { class: 'scroll' },
          table(
            [
              t('dashboard.vouchers.application'),
              t('dashboard.vouchers.status'),
              t('dashboard.vouchers.kind'),
              t('dashboard.vouchers.daysLeft'),
            ],
            d.vouchers.map((v) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, v.application),
                h('td', {}, label('status', v.status)),
                h('td', {}, label('deadline', v.kind), h('br'), h('time', { datetime: v.deadline }, t('dashboard.vouchers.deadline', { at: when(v.deadline) }))),
                h('td', { class: 'num nowrap' }, v.daysLeft === undefined ? t('common.none') : tn('days', v.daysLeft)),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('dashboard.vouchers.empty')),
  );

  const places = h(
    'section',
    { class: 'card', 'data-testid': 'places' },
    h('h2', {}, t('dashboard.places.heading')),
    d.places.length
      ? table(
          [t('dashboard.places.year'), t('dashboard.places.pending'), t('dashboard.places.free'), t('dashboard.places.enrolled')],
          d.places.map((p) =>
            h('tr', {}, h('td', {}, p.groupYear), h('td', { class: 'num' }, p.pending), h('td', { class: 'num' }, p.free), h('td', { class: 'num' }, p.enrolled)),
          ),
        )
      : h('p', { class: 'muted' }, t('dashboard.places.empty')),
  );

  const kiosks = h(
    'section',
    { class: 'card', 'data-testid': 'dashboard-kiosks' },
    h('h2', {}, t('dashboard.kiosks.heading')),
    d.kiosks.length
      ? table(
          [t('kiosk.id'), t('kiosk.lastSeen'), t('kiosk.offline'), t('kiosk.state')],
          d.kiosks.map((k) =>
            h(
              'tr',
              { 'data-kiosk': k.id, class: k.warning ? 'warn' : null },
              h('td', { class: 'mono' }, k.id),
              h('td', {}, k.lastSeen ? stamp(k.lastSeen) : t('kiosk.neverSeen')),
              h('td', {}, offline(k)),
              h('td', {}, kioskState(k)),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('dashboard.kiosks.empty')),
    h('p', { class: 'muted small' }, t('dashboard.kiosks.legend', { days: tn('days', d.offlineWarningDays) })),
  );

  const schedule = h(
    'section',
    { class: 'card', 'data-testid': 'schedule' },
    h('h2', {}, t('dashboard.schedule.heading')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('dashboard.schedule.lastExpiry')),
      h('dd', {}, d.lastExpiry ? stamp(d.lastExpiry) : t('common.never')),
      h('dt', {}, t('dashboard.schedule.lastRound')),
      h('dd', {}, d.lastScheduledRound ? stamp(d.lastScheduledRound) : t('common.never')),
    ),
  );

  fill(body,
    h('p', { class: 'muted as-of' }, t('common.asOf', { at: when(d.at) })),
    h(
      'div',
      { class: 'stats' },
      card('dashboard.card.queued', count('queued'), 'blue', 'stat-queued'),
      card('dashboard.card.vouchers', d.vouchers.length, 'amber', 'stat-vouchers'),
      card('dashboard.card.reviews', d.openReviews, 'red', 'stat-reviews'),
      card('dashboard.card.quarantine', d.quarantined, 'red', 'stat-quarantine'),
      card('dashboard.card.kiosks', warned, 'red', 'stat-kiosks'),
    ),
    h('div', { class: 'grid two' }, h('div', { class: 'stack' }, queues, places), statuses),
    h('div', { class: 'grid two' }, vouchers, h('div', { class: 'stack' }, kiosks, schedule)),
  );
}

// ---------------------------------------------------------------------------------------
// Reviews

async function renderReviews(args, alive) {
  if (args[0]) return renderReview(args[0], alive);
  const toggle = h('input', {
    type: 'checkbox',
    id: 'show-decided',
    checked: state.showDecided,
    onchange: (e) => {
      state.showDecided = e.target.checked;
      render();
    },
  });
  const { body } = page(t('reviews.heading'), {
    tools: [h('div', { class: 'check' }, toggle, h('label', { for: 'show-decided' }, t('reviews.showDecided')))],
    lead: t('reviews.lead'),
  });
  const items = await api('GET', `/reviews${state.showDecided ? '?all=true' : ''}`);
  if (!alive()) return;
  if (!items.length) {
    fill(body, h('p', { class: 'empty', 'data-testid': 'reviews-empty' }, t('reviews.empty')));
    return;
  }
  fill(body,
    h(
      'section',
      { class: 'card' },
      table(
        [t('reviews.id'), t('reviews.kind'), t('common.district'), t('reviews.application'), t('reviews.reason'), t('reviews.status'), ''],
        items.map((item) =>
          h(
            'tr',
            { 'data-review-id': item.id },
            h('td', { class: 'mono' }, item.id),
            h('td', {}, label('reviewKind', item.kind)),
            h('td', {}, districtName(item.district)),
            h('td', { class: 'mono' }, item.application ?? t('common.none')),
            h('td', { class: 'wrap' }, item.reason || item.code),
            h('td', {}, badge(label('reviewStatus', item.status), item.status === 'open' ? 'amber' : 'grey')),
            h('td', {}, h('a', { href: `#/reviews/${encodeURIComponent(item.id)}`, class: 'button-link', 'aria-label': `${t('common.open')} ${item.id}` }, t('common.open'))),
          ),
        ),
        { 'data-testid': 'reviews' },
      ),
    ),
  );
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).flatMap(([term, value, attrs = {}]) => [h('dt', {}, term), h('dd', attrs, value)]),
  );
}

async function renderReview(id, alive) {
  const back = h('a', { href: '#/reviews', class: 'button-link secondary' }, t('review.back'));
  const { body } = page(t('review.heading', { id }), { tools: [back] });
  const detail = await api('GET', `/reviews/${encodeURIComponent(id)}`);
  if (!alive()) return;
  const { item, application: app, kindergarten, history } = detail;
  const refusal = item.kind === 'refusal';

  const itemCard = h(
    'section',
    { class: 'card', 'data-testid': 'review-item' },
    h('h2', {}, t('review.item')),
    facts([
      [t('review.kind'), label('reviewKind', item.kind)],
      [t('common.district'), districtName(item.district)],
      [refusal ? t('review.refusalReason') : t('review.reason'), item.reason || t('common.none'), { class: 'reason', 'data-testid': 'review-reason' }],
      !refusal && [t('review.code'), item.code, { class: 'mono' }],
      item.kiosk && [t('review.kiosk'), `${item.kiosk}, ${item.seq ?? ''}`, { class: 'mono' }],
      [t('review.status'), badge(label('reviewStatus', item.status), item.status === 'open' ? 'amber' : 'grey')],
    ]),
  );

  const appCard = app
    ? h(
        'section',
        { class: 'card', 'data-testid': 'review-application' },
        h('h2', {}, `${t('review.application')} ${app.id}`),
        facts([
          [t('review.child'), app.child?.name ?? t('common.none')],
          [t('review.birthDate'), day(app.child?.birthDate)],
          [t('review.queue'), label('queueType', app.queueType)],
          [t('review.right'), label('right', app.right)],
          [t('review.registeredAt'), when(app.registeredAt)],
          [t('review.appStatus'), label('status', app.status)],
          app.voucher && [t('review.voucher'), when(app.voucher.issuedAt)],
          app.direction && [t('review.direction'), `${app.direction.number} · ${when(app.direction.issuedAt)}`, { class: 'mono' }],
          app.direction && [
            t('review.kindergarten'),
            kindergarten ? `${kindergarten.name?.[state.lang] ?? kindergarten.name?.ru ?? kindergarten.id} (${kindergarten.id})` : app.direction.kindergarten,
          ],
          app.direction && [t('review.groupLanguage'), label('language', app.direction.language)],
        ]),
      )
    : null;

  const historyCard = h(
    'section',
    { class: 'card', 'data-testid': 'review-history' },
    h('h2', {}, t('review.history')),
    history.length
      ? table(
          [t('review.history.at'), t('review.history.source'), t('review.history.by'), t('review.history.action'), t('review.history.refused')],
          history.map((row) =>
            h(
              'tr',
              {},
              h('td', {}, stamp(row.at)),
              h('td', { class: 'mono' }, row.seq ? `${row.source} #${row.seq}` : row.source),
              h('td', {}, row.by || t('common.none')),
              h('td', {}, label('action', row.action)),
              h('td', { class: 'wrap' }, row.refused ?? ''),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('review.history.empty')),
  );

  fill(body, h('div', { class: 'grid two' }, h('div', { class: 'stack' }, itemCard, decisionCard(item)), appCard), historyCard);
}

function decisionCard(item) {
  if (item.status !== 'open') {
    return h('section', { class: 'card' }, h('h2', {}, t('review.decision')), h('p', {}, t('review.alreadyDecided')));
  }
  const refusal = item.kind === 'refusal';
  const slot = h('div', { class: 'slot' });
  const note = h('textarea', { id: 'note', rows: 3, maxlength: 2000, 'aria-describedby': 'note-hint' });
  const decide = (decision) => async (e) => {
    const button = e.currentTarget;
    const question = decision === 'uphold' ? 'review.confirmUphold' : 'review.confirmOverrule';
    const confirmLabel = refusal ? t(`review.${decision}`) : t(`review.${decision}Entry`);
    if (!(await confirmDialog(t(question, { id: item.id }), t('review.confirmText'), confirmLabel))) return;
    await busy(button, slot, async () => {
      const decided = await api('POST', `/reviews/${encodeURIComponent(item.id)}`, { decision, note: note.value });
      state.notice = { kind: 'ok', text: t(`review.decided.${decided.status}`, { id: item.id }) };
      go('reviews');
    });
  };
  return h(
    'section',
    { class: 'card decision', 'data-testid': 'review-decision' },
    h('h2', {}, t('review.decision')),
    h('div', { class: 'field' }, h('label', { for: 'note' }, t('review.note')), note, h('p', { class: 'hint', id: 'note-hint' }, t('review.noteHint'))),
    slot,
    h(
      'div',
      { class: 'buttons split' },
      h('button', { type: 'button', id: 'uphold', class: 'primary', onclick: decide('uphold') }, refusal ? t('review.uphold') : t('review.upholdEntry')),
      h('button', { type: 'button', id: 'overrule', class: 'danger', onclick: decide('overrule') }, refusal ? t('review.overrule') : t('review.overruleEntry')),
    ),
    refusal ? h('ul', { class: 'hint' }, h('li', {}, t('review.upholdHelp')), h('li', {}, t('review.overruleHelp'))) : null,
  );
}

// ---------------------------------------------------------------------------------------
// Distribution

async function renderDistribution(args, alive) {
  const district = pickDistrict(args[0]);
  if (!district) return;
  const slot = h('div', { class: 'slot' });
  const planned = state.plans.get(district);
  const dryRun = h('button', { type: 'button', id: 'dry-run', class: planned ? 'secondary' : 'primary' }, t('distribution.dryRun'));
  const run = h('button', { type: 'button', id: 'run-round', class: 'danger', disabled: !planned, 'aria-describedby': planned ? null : 'run-hint' }, t('distribution.run'));
  dryRun.addEventListener('click', () =>
    busy(dryRun, slot, async () => {
      const plan = await api('POST', `/districts/${encodeURIComponent(district)}/distribution/dry-run`);
      state.plans.set(district, plan);
      state.rounds.delete(district);
      render();
    }),
  );
  run.addEventListener('click', async () => {
    const ok = await confirmDialog(
      t('distribution.confirmTitle', { district: districtName(district) }),
      t('distribution.confirmText'),
      t('distribution.run'),
      'danger',
    );
    if (!ok) return;
    await busy(run, slot, async () => {
      const round = await api('POST', `/districts/${encodeURIComponent(district)}/distribution`);
      state.rounds.set(district, round);
      state.plans.delete(district);
      render();
    });
  });
  const { body } = page(t('distribution.heading', { district: districtName(district) }), {
    tools: [districtPicker(district, 'distribution')],
    lead: t('distribution.lead'),
  });
  if (!alive()) return;
  rememberDistrict(district);
  const round = state.rounds.get(district);
  fill(body,
    h('div', { class: 'buttons' }, dryRun, run, planned ? null : h('span', { class: 'hint', id: 'run-hint' }, t('distribution.runHint'))),
    slot,
    round ? roundResult(round) : null,
    planned ? planView(planned) : null,
  );
}

function planView(plan) {
  const total = plan.queues.reduce((n, q) => n + q.chosen.length, 0);
  return h(
    'section',
    { class: 'card', 'data-testid': 'plan' },
    h('h2', {}, t('distribution.plan')),
    h('p', { class: 'total', 'data-testid': 'plan-total' }, t('distribution.planTotal', { n: total })),
    plan.queues.length
      ? plan.queues.map((q) =>
          h(
            'div',
            { class: 'queue-plan', 'data-queue': `${q.queue.queueType}-${q.queue.groupYear}` },
            h('h3', {}, `${label('queueType', q.queue.queueType)} · ${t('common.groupYear', { year: q.queue.groupYear })}`),
            h('p', { class: 'muted' }, `${t('distribution.free', { n: q.free })} · ${t('distribution.outstanding', { n: q.outstanding })}`),
            q.chosen.length
              ? table(
                  [
                    t('distribution.position'),
                    t('distribution.application'),
                    t('distribution.right'),
                    t('distribution.registeredAt'),
                    t('distribution.confirmDeadline'),
                  ],
                  q.chosen.map((c) =>
                    h(
                      'tr',
                      { 'data-application': c.application },
                      h('td', { class: 'num' }, c.position),
                      h('td', { class: 'mono' }, c.application),
                      h('td', {}, label('right', c.right)),
                      h('td', {}, stamp(c.registeredAt)),
                      h('td', {}, stamp(c.confirmDeadline)),
                    ),
                  ),
                )
              : h('p', { class: 'muted' }, t('distribution.nobody')),
          ),
        )
      : h('p', { class: 'muted' }, t('distribution.noQueues')),
  );
}

function roundResult(round) {
  return h(
    'section',
    { class: 'card result', 'data-testid': 'round' },
    h('h2', {}, t('distribution.result', { at: when(round.at) })),
    h(
      'p',
      {},
      [
        t('distribution.issued', { n: round.vouchers.length }),
        t('distribution.published', { n: round.published.length }),
        round.expired.length ? t('distribution.expired', { n: round.expired.length }) : null,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    round.vouchers.length
      ? table(
          [t('distribution.application'), t('distribution.confirmDeadline')],
          round.vouchers.map((v) => h('tr', { 'data-application': v.application }, h('td', { class: 'mono' }, v.application), h('td', {}, stamp(v.confirmDeadline)))),
          { 'data-testid': 'vouchers-issued' },
        )
      : h('p', { class: 'muted' }, t('distribution.noneIssued')),
  );
}

// ---------------------------------------------------------------------------------------
// Kiosks

async function renderKiosks(_args, alive) {
  const { body } = page(t('kiosks.heading'), { lead: t('kiosks.lead') });
  const kiosks = await api('GET', '/kiosks');
  if (!alive()) return;
  const slot = h('div', { class: 'slot' });
  const list = kiosks.length
    ? table(
        [t('kiosk.id'), t('kiosks.served'), t('kiosks.fingerprint'), t('kiosks.registered'), t('kiosk.lastSeen'), t('kiosk.offline'), t('kiosk.state'), t('kiosks.actions')],
        kiosks.map((k) => {
          const revoke = k.revokedAt
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'small danger',
                  'data-revoke': k.id,
                  'aria-label': t('kiosks.revoke', { id: k.id }),
                },
                t('kiosks.revokeButton'),
              );
          revoke?.addEventListener('click', async () => {
            if (!(await confirmDialog(t('kiosks.revokeTitle', { id: k.id }), t('kiosks.revokeText'), t('kiosks.revoke', { id: k.id }), 'danger'))) return;
            await busy(revoke, slot, async () => {
              await api('POST', `/kiosks/${encodeURIComponent(k.id)}/revoke`);
              state.notice = { kind: 'ok', text: t('kiosks.revoked', { id: k.id }) };
              render();
            });
          });
          return h(
            'tr',
            { 'data-kiosk': k.id, class: k.warning ? 'warn' : null },
            h('td', { class: 'mono' }, k.id),
            h('td', {}, k.districts.join(', ')),
            h('td', { class: 'mono small' }, k.currentFingerprint),
            h('td', {}, stamp(k.registeredAt)),
            h('td', {}, k.lastSeen ? stamp(k.lastSeen) : t('kiosk.neverSeen')),
            h('td', {}, offline(k)),
            h('td', {}, kioskState({ ...k, revoked: Boolean(k.revokedAt) })),
            h('td', {}, revoke),
          );
        }),
        { 'data-testid': 'kiosks' },
      )
    : h('p', { class: 'muted' }, t('kiosks.empty'));
  fill(body, h('section', { class: 'card' }, list, slot), kioskForm());
}

function kioskForm() {
  const slot = h('div', { class: 'slot' });
  const id = h('input', { id: 'kiosk-id', required: true, autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const district = h(
    'select',
    { id: 'kiosk-district', required: true },
    (state.me?.districts ?? []).map((d) => h('option', { value: d }, `${districtName(d)} (${d})`)),
  );
  const key = h('input', { id: 'kiosk-key', required: true, autocomplete: 'off', spellcheck: 'false', class: 'mono wide' });
  const check = h('button', { type: 'button', id: 'check-key', class: 'secondary' }, t('kiosks.check'));
  const shown = h('div', { class: 'fingerprint', 'aria-live': 'polite' });
  const matches = h('input', { type: 'checkbox', id: 'key-matches', required: true });
  const submit = h('button', { type: 'submit', id: 'add-kiosk', class: 'primary', disabled: true }, t('kiosks.addSubmit'));
  const showChecked = () => {
    const checked = state.checkedKey && state.checkedKey.key === key.value.trim() ? state.checkedKey : null;
    shown.replaceChildren();
    matches.checked = false;
    submit.disabled = true;
    matchRow.hidden = !checked;
    if (!checked) return;
    shown.append(h('p', {}, t('kiosks.fingerprintIs')), h('p', { class: 'fp', 'data-testid': 'fingerprint' }, checked.fingerprint), h('p', { class: 'hint' }, t('kiosks.compare')));
  };
  const matchRow = h('div', { class: 'check', hidden: true }, matches, h('label', { for: 'key-matches' }, t('kiosks.matches')));
  key.addEventListener('input', showChecked);
  matches.addEventListener('change', () => {
    submit.disabled = !matches.checked;
  });
  check.addEventListener('click', () =>
    busy(check, slot, async () => {
      const value = key.value.trim();
      const answer = await api('GET', `/kiosks/fingerprint?publicKey=${encodeURIComponent(value)}`);
      state.checkedKey = { key: value, fingerprint: answer.fingerprint };
      showChecked();
    }),
  );
  const form = h(
    'form',
    {
      class: 'card form',
      'data-testid': 'add-kiosk-form',
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(submit, slot, async () => {
          const added = await api('POST', '/kiosks', { id: id.value.trim(), district: district.value, publicKey: key.value.trim() });
          state.checkedKey = null;
          state.notice = { kind: 'ok', text: t('kiosks.added', { id: added.id }) };
          render();
        });
      },
    },
    h('h2', {}, t('kiosks.add')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'kiosk-id' }, t('kiosks.addId')), id),
      h('div', { class: 'field' }, h('label', { for: 'kiosk-district' }, t('kiosks.district')), district),
    ),
    h('div', { class: 'field' }, h('label', { for: 'kiosk-key' }, t('kiosks.addKey')), h('div', { class: 'inline' }, key, check)),
    shown,
    matchRow,
    slot,
    h('div', { class: 'buttons' }, submit),
  );
  showChecked();
  return form;
}

// ---------------------------------------------------------------------------------------
// Quarantine

async function renderQuarantine(_args, alive) {
  const { body } = page(t('quarantine.heading'), { lead: t('quarantine.lead') });
  const notes = await api('GET', '/quarantine');
  if (!alive()) return;
  if (!notes.length) {
    fill(body, h('p', { class: 'empty', 'data-testid': 'quarantine-empty' }, t('quarantine.empty')));
    return;
  }
  const slot = h('div', { class: 'slot' });
  const open = [...new Set(notes.filter((n) => !n.resolved).map((n) => n.kiosk))];
  const buttons = open.map((kiosk) => {
    const button = h('button', { type: 'button', class: 'secondary', 'data-reexamine': kiosk }, t('quarantine.reexamine', { kiosk }));
    button.addEventListener('click', () =>
      busy(button, slot, async () => {
        const report = await api('POST', `/quarantine/${encodeURIComponent(kiosk)}/reexamine`);
        state.notice = { kind: 'ok', text: t('quarantine.reexamined', { kiosk, n: report.accepted }) };
        render();
      }),
    );
    return button;
  });
  fill(body,
    h('div', { class: 'buttons' }, buttons),
    slot,
    h(
      'section',
      { class: 'card' },
      table(
        [t('quarantine.kiosk'), t('quarantine.seq'), t('quarantine.code'), t('quarantine.reason'), t('quarantine.receivedAt'), t('quarantine.resolved')],
        notes.map((n) =>
          h(
            'tr',
            {},
            h('td', { class: 'mono' }, n.kiosk),
            h('td', { class: 'num' }, n.seq),
            h('td', { class: 'wrap' }, h('strong', { class: 'mono' }, n.code), h('br'), label('quarantine', n.code)),
            h('td', { class: 'wrap small' }, n.reason),
            h('td', {}, stamp(n.receivedAt)),
            h('td', {}, n.resolved ? badge(t('common.yes'), 'green') : badge(t('common.no'), 'amber')),
          ),
        ),
        { 'data-testid': 'quarantine' },
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------
// Staff accounts

const ROLES = ['admin', 'reviewer', 'distributor', 'viewer'];

async function renderUsers(_args, alive) {
  const { body } = page(t('users.heading'), { lead: t('users.lead') });
  const users = await api('GET', '/users');
  if (!alive()) return;
  const slot = h('div', { class: 'slot' });
  const list = table(
    [t('users.login'), t('users.name'), t('users.role'), t('users.districts'), t('users.created'), t('users.state'), t('users.actions')],
    users.map((u) => {
      const disable = u.disabled
        ? null
        : h('button', { type: 'button', class: 'small danger', 'data-disable': u.login, 'aria-label': t('users.disable', { login: u.login }) }, t('users.disableButton'));
      disable?.addEventListener('click', async () => {
        if (!(await confirmDialog(t('users.disableTitle', { login: u.login }), t('users.disableText'), t('users.disable', { login: u.login }), 'danger'))) return;
        await busy(disable, slot, async () => {
          await api('POST', `/users/${encodeURIComponent(u.login)}/disable`);
          state.notice = { kind: 'ok', text: t('users.disabledDone', { login: u.login }) };
          render();
        });
      });
      return h(
        'tr',
        { 'data-user': u.login, class: u.disabled ? 'muted-row' : null },
        h('td', { class: 'mono' }, u.login),
        h('td', {}, u.name),
        h('td', {}, label('role', u.role)),
        h('td', { class: 'wrap' }, u.districts.length ? u.districts.join(', ') : t('users.allDistricts')),
        h('td', {}, stamp(u.createdAt)),
        h('td', {}, u.disabled ? badge(t('users.disabled'), 'grey') : badge(t('users.active'), 'green')),
        h('td', {}, disable),
      );
    }),
    { 'data-testid': 'users' },
  );
  fill(body, h('section', { class: 'card' }, list, slot), userForm());
}

function userForm() {
  const slot = h('div', { class: 'slot' });
  const login = h('input', { id: 'user-login', required: true, autocomplete: 'off', spellcheck: 'false' });
  const name = h('input', { id: 'user-name', required: true, autocomplete: 'off' });
  const role = h('select', { id: 'user-role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'viewer' }, label('role', r))));
  const password = h('input', { id: 'user-password', type: 'password', required: true, autocomplete: 'new-password' });
  const boxes = (state.me?.districts ?? []).map((d) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'district', value: d }), `${districtName(d)}`),
  );
  const submit = h('button', { type: 'submit', class: 'primary', id: 'add-user' }, t('users.addSubmit'));
  return h(
    'form',
    {
      class: 'card form',
      'data-testid': 'add-user-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const districts = [...e.currentTarget.querySelectorAll('input[name="district"]:checked')].map((b) => b.value);
        await busy(submit, slot, async () => {
          const added = await api('POST', '/users', { login: login.value.trim(), name: name.value.trim(), role: role.value, districts, password: password.value });
          state.notice = { kind: 'ok', text: t('users.added', { login: added.login }) };
          render();
        });
      },
    },
    h('h2', {}, t('users.add')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'user-login' }, t('users.login')), login),
      h('div', { class: 'field' }, h('label', { for: 'user-name' }, t('users.name')), name),
      h('div', { class: 'field' }, h('label', { for: 'user-role' }, t('users.role')), role),
      h('div', { class: 'field' }, h('label', { for: 'user-password' }, t('users.password')), password),
    ),
    h('fieldset', { class: 'districts', 'aria-describedby': 'districts-hint' }, h('legend', {}, t('users.districts')), h('div', { class: 'boxes' }, boxes)),
    h('p', { class: 'hint', id: 'districts-hint' }, t('users.districtsHint')),
    slot,
    h('div', { class: 'buttons' }, submit),
  );
}

// ---------------------------------------------------------------------------------------
// Audit trail

async function renderAudit(_args, alive) {
  const limit = h(
    'select',
    {
      id: 'audit-limit',
      onchange: (e) => {
        state.auditLimit = Number(e.target.value);
        render();
      },
    },
    AUDIT_LIMITS.map((n) => h('option', { value: n, selected: n === state.auditLimit }, n)),
  );
  const { body } = page(t('audit.heading'), {
    tools: [h('div', { class: 'picker' }, h('label', { for: 'audit-limit' }, t('audit.limit')), limit)],
    lead: t('audit.lead'),
  });
  const rows = await api('GET', `/audit?limit=${state.auditLimit}`);
  if (!alive()) return;
  fill(body,
    rows.length
      ? h(
          'section',
          { class: 'card' },
          table(
            [t('audit.seq'), t('audit.at'), t('audit.by'), t('audit.action'), t('audit.subject'), t('audit.note')],
            rows.map((r) =>
              h(
                'tr',
                { 'data-action': r.action },
                h('td', { class: 'num' }, r.seq),
                h('td', {}, stamp(r.at)),
                h('td', { class: 'mono' }, r.by),
                h('td', {}, label('action', r.action)),
                h('td', { class: 'mono' }, r.subject || t('common.none')),
                h('td', { class: 'wrap' }, auditNote(r)),
              ),
            ),
            { 'data-testid': 'audit' },
          ),
        )
      : h('p', { class: 'empty' }, t('audit.empty')),
  );
}

/** A district as "name (CODE)" in the page's language, or its code. */
function districtLabel(code) {
  const name = districtName(code);
  return name === code ? code : `${name} (${code})`;
}

/**
 * An audit entry's note in the page's language (text, or text and elements). The center writes each note into its signed
 * log once, in a fixed form for its action ("2 accepted, 0 duplicates", "distributor ZER",
 * "KOK 3b6a-…"): those forms are shown here in words of the page's language. Anything else
 * (a reviewer's comment, in the reviewer's own words) is shown as written.
 */
function auditNote(row) {
  const note = row.note ?? '';
  let m;
  switch (row.action) {
    case 'ingest.file':
      if ((m = /^(\d+) accepted, (\d+) duplicates$/.exec(note))) return t('audit.note.ingest', { accepted: m[1], duplicates: m[2] });
      break;
    case 'quarantine.reexamine':
      if ((m = /^(\d+) accepted$/.exec(note))) return t('audit.note.accepted', { accepted: m[1] });
      break;
    case 'user.add':
      if ((m = /^(admin|reviewer|distributor|viewer)(?: (\S+))?$/.exec(note))) {
        const role = label('role', m[1]);
        return m[2] ? t('audit.note.user', { role, districts: m[2].split(',').map(districtLabel).join(', ') }) : role;
      }
      break;
    case 'kiosk.add':
      if (note === "the parents' channel") return t('audit.note.parentsChannel');
      if ((m = /^(\S+) (\S+)$/.exec(note))) {
        // The fingerprint kept on one line, to compare with the kiosk's screen.
        const [before, after] = t('audit.note.kiosk', { district: districtLabel(m[1]), fingerprint: '\u0000' }).split('\u0000');
        return [before, h('span', { class: 'nowrap' }, m[2]), after];
      }
      break;
    case 'kiosk.serve':
      if (/^\S+$/.test(note)) return t('audit.note.district', { district: districtLabel(note) });
      break;
    case 'population.import':
      if (/^\d+$/.test(note)) return t('audit.note.pairs', { n: note });
      break;
    case 'population.trust':
      if (/^[0-9a-f]{64}$/.test(note)) return t('audit.note.key', { key: note });
      break;
    case 'publish.queue':
      try {
        const { version } = JSON.parse(note);
        if (Number.isInteger(version)) return t('audit.note.publication', { version });
      } catch {
        // Not the publication's record: shown as written.
      }
      break;
    default:
  }
  return note;
}

// ---------------------------------------------------------------------------------------
// Start

async function start() {
  await loadLanguage(initialLanguage());
  document.getElementById('lang').addEventListener('change', async (e) => {
    await loadLanguage(e.target.value);
    render();
  });
  document.getElementById('sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', () => render());
  try {
    state.me = await api('GET', '/me');
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.code !== 'NETWORK')) throw error;
    state.me = null;
  }
  await render();
  document.documentElement.dataset.ready = '1';
}

start().catch((error) => {
  document.getElementById('main').replaceChildren(h('p', { class: 'error', role: 'alert' }, String(error?.message ?? error)));
  document.documentElement.dataset.ready = 'error';
});
