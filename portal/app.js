// Kezek parents' portal. Static page; every rule (IIN, calendar, deadlines, allowed
// actions, their results, queue positions and their explanation) comes from the rules
// compiled to WebAssembly (wasm-pkg). This file only reads input, calls the rules and
// shows the answers in ru/kk/en. Nothing is sent anywhere.

const WASM_MODULE = new URL('../wasm-pkg/pkg/web/kezek.js', import.meta.url);
const LANGS = ['ru', 'kk', 'en'];
const DEMO_MANIFEST = new URL('demo/index.json', import.meta.url);
/** Astana time: Kazakhstan is one zone, UTC+05:00. */
const OFFSET_MS = 5 * 3600 * 1000;
/** Actions a parent takes (through the portal or the office): the rules' `operator` role. */
const PARENT_ROLE = 'operator';
const MAX_MOVERS_SHOWN = 8;

const state = {
  rules: null,
  lang: 'ru',
  dicts: {},
  districts: [],
  categories: [],
  iin: '',
  snapshots: [], // loaded in order; the last is current, the one before (same district) is previous
  asOf: null, // RFC 3339 instant at +05:00
  asOfSource: 'clock', // clock | demo | param | manual
  previews: new Map(), // application id → { application, events }
  errors: new Map(), // application id → message
  demoChildren: [],
  snapshotError: null,
  connected: null, // connected/main.js's page, when the center serves this page
};

// ---------------------------------------------------------------------------------------
// Small helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function t(key, params = {}) {
  const text = state.dicts[state.lang]?.[key] ?? state.dicts.ru?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

const pad = (n) => String(n).padStart(2, '0');

/** An instant (RFC 3339 string or ms) as Astana wall-clock parts. */
function astana(instant) {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  const d = new Date(ms + OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** `YYYY-MM-DDTHH:MM:SS+05:00` for an instant in ms. */
function toAstanaInstant(ms) {
  const { date, time } = astana(ms);
  return `${date}T${time}+05:00`;
}

/** `DD.MM.YYYY` as on the regional portal. */
function fmtDate(date) {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

function fmtInstant(instant) {
  const { date, time } = astana(instant);
  return `${fmtDate(date)} ${time.slice(0, 5)}`;
}

function kgName(kg) {
  if (!kg) return '';
  return state.lang === 'kk' ? kg.name?.kk ?? kg.name?.ru ?? kg.id : kg.name?.ru ?? kg.id;
}

function districtName(code) {
  const d = state.districts.find((x) => x.code === code);
  return d?.name?.[state.lang] ?? d?.name?.ru ?? code;
}

function categoryName(code) {
  const c = state.categories.find((x) => x.code === code);
  return c?.name?.[state.lang] ?? c?.name?.ru ?? code;
}

async function fetchJson(url) {
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText} (${url})`);
  return response.json();
}

// ---------------------------------------------------------------------------------------
// Language

function pickInitialLang() {
  const param = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(param)) return param;
  try {
    const saved = localStorage.getItem('kezek.lang');
    if (LANGS.includes(saved)) return saved;
  } catch {
    /* storage may be blocked */
  }
  const nav = (navigator.language || 'ru').slice(0, 2).toLowerCase();
  return LANGS.includes(nav) ? nav : 'ru';
}

async function setLang(lang) {
  if (!state.dicts[lang]) state.dicts[lang] = await fetchJson(new URL(`i18n/${lang}.json`, import.meta.url));
  state.lang = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem('kezek.lang', lang);
  } catch {
    /* ignore */
  }
  for (const button of document.querySelectorAll('#lang-switch [data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    button.setAttribute('aria-label', state.dicts[button.dataset.lang]?.['lang.name'] ?? button.dataset.lang);
  }
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
  document.title = `Kezek — ${t('app.title')}`;
  renderAll();
}

// ---------------------------------------------------------------------------------------
// Snapshots

function entriesOf(applications) {
  return applications.map((a) => ({
    id: a.id,
    district: a.district,
    queueType: a.queueType,
    birthDate: a.child.birthDate,
    right: a.right,
    registeredAt: a.registeredAt,
    status: a.status,
  }));
}

function checkSnapshot(snapshot) {
  if (!snapshot || typeof snapshot !== 'object' || Array.isArray(snapshot)) throw new Error('not a JSON object');
  if (typeof snapshot.district !== 'string') throw new Error('no "district"');
  if (typeof snapshot.generatedAt !== 'string' || Number.isNaN(Date.parse(snapshot.generatedAt))) {
    throw new Error('no valid "generatedAt"');
  }
  if (!Array.isArray(snapshot.applications)) throw new Error('no "applications" list');
  for (const a of snapshot.applications) {
    if (!a || typeof a.id !== 'string' || !a.child || typeof a.child.iin !== 'string') {
      throw new Error('an application without "id" or "child.iin"');
    }
  }
  // The rules validate every application; a malformed one throws INVALID_APPLICATION.
  const ranked = state.rules.rankQueue(entriesOf(snapshot.applications));
  return { ...snapshot, ranked };
}

function currentSnapshot() {
  return state.snapshots.at(-1) ?? null;
}

function previousSnapshot() {
  const current = currentSnapshot();
  if (!current) return null;
  for (let i = state.snapshots.length - 2; i >= 0; i--) {
    const s = state.snapshots[i];
    if (s.district === current.district && Date.parse(s.generatedAt) < Date.parse(current.generatedAt)) return s;
  }
  return null;
}

function addSnapshots(list) {
  const checked = list.map(checkSnapshot).sort((a, b) => Date.parse(a.generatedAt) - Date.parse(b.generatedAt));
  state.snapshots.push(...checked);
  state.previews.clear();
  state.errors.clear();
  state.snapshotError = null;
}

async function loadDemo() {
  try {
    const manifest = await fetchJson(DEMO_MANIFEST);
    const snapshots = await Promise.all(manifest.snapshots.map((file) => fetchJson(new URL(`demo/${file}`, import.meta.url))));
    state.snapshots = [];
    addSnapshots(snapshots);
    state.demoChildren = manifest.children ?? [];
    if (state.asOfSource !== 'param') setAsOf(currentSnapshot().generatedAt, 'demo');
  } catch (e) {
    state.snapshotError = e.code ? `${e.code}: ${e.message}` : e.message;
  }
  renderAll();
}

/**
 * The JSON of a snapshot file: plain JSON, or the center's signed document
 * (`"KZKD" | u32 LE length | JSON | 64-byte signature`, changelog/src/document.rs). The page
 * has no center key to check the signature; the kiosk does that.
 */
function snapshotText(bytes) {
  const magic = [0x4b, 0x5a, 0x4b, 0x44];
  if (bytes.length >= 8 && magic.every((b, i) => bytes[i] === b)) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    if (bytes.length !== 8 + len + 64) throw new Error('damaged signed document');
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + len));
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

async function loadFiles(files) {
  try {
    const buffers = await Promise.all([...files].map((f) => f.arrayBuffer()));
    const snapshots = buffers.map((buffer, i) => {
      try {
        return JSON.parse(snapshotText(new Uint8Array(buffer)));
      } catch (e) {
        throw new Error(`${files[i].name}: ${e.message}`);
      }
    });
    addSnapshots(snapshots);
    state.demoChildren = [];
    if (state.asOfSource === 'demo') setAsOf(toAstanaInstant(Date.now()), 'clock');
  } catch (e) {
    state.snapshotError = e.code ? `${e.code}: ${e.message}` : e.message;
  }
  renderAll();
}

// Free places in free choice: the snapshot's own list, which the center's rules computed.
// A snapshot without one offers no choice: the page never counts places itself (the count
// is the rules' — published places less directions, departures freeing none).
function freePlacesOf(snapshot) {
  if (!Array.isArray(snapshot.freePlaces)) return [];
  return snapshot.freePlaces
    .map((p) => ({ kindergarten: p.kindergarten, language: p.language, groupYear: p.groupYear, free: p.free ?? p.count ?? 0 }))
    .filter((p) => typeof p.kindergarten === 'string' && typeof p.language === 'string' && Number.isInteger(p.groupYear));
}

// ---------------------------------------------------------------------------------------
// "Now"

function setAsOf(instant, source) {
  state.asOf = instant;
  state.asOfSource = source;
  state.previews.clear();
  state.errors.clear();
}

function asOfInputValue() {
  const { date, time } = astana(state.asOf);
  return `${date}T${time.slice(0, 5)}`;
}

// ---------------------------------------------------------------------------------------
// Rendering: IIN

function iinCheck() {
  const iin = state.iin;
  if (!state.rules || iin === '') return { kind: 'empty' };
  if (/^\d{1,11}$/.test(iin)) return { kind: 'partial', typed: iin.length };
  const result = state.rules.validateIin(iin, state.lang);
  return result.valid ? { kind: 'valid', ...result } : { kind: 'invalid', error: result.error };
}

function renderIin() {
  const box = document.getElementById('iin-status');
  const input = document.getElementById('iin');
  const check = iinCheck();
  box.replaceChildren();
  box.className = 'iin-status';
  input.removeAttribute('aria-invalid');
  if (check.kind === 'empty') {
    box.append(h('p', { class: 'muted', text: t('iin.hint') }));
  } else if (check.kind === 'partial') {
    box.append(h('p', { class: 'muted', text: t('iin.more', { typed: check.typed }) }));
  } else if (check.kind === 'valid') {
    box.classList.add('iin-status--valid');
    box.append(
      h('p', { class: 'iin-status__title' }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '✓' }), t('iin.valid')),
      h(
        'dl',
        { class: 'facts facts--inline' },
        h('div', {}, h('dt', { text: t('iin.birthDate') }), h('dd', { 'data-testid': 'iin-birth-date', text: fmtDate(check.birthDate) })),
        h('div', {}, h('dt', { text: t('iin.sex') }), h('dd', { 'data-testid': 'iin-sex', text: t(`sex.${check.sex}`) })),
      ),
    );
  } else {
    input.setAttribute('aria-invalid', 'true');
    box.classList.add('iin-status--invalid');
    box.append(
      h('p', { class: 'iin-status__title' }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '✕' }), t('iin.invalid')),
      h('p', { 'data-testid': 'iin-error', 'data-code': check.error.code, text: check.error.message || t(`iin.error.${check.error.code}`) }),
    );
  }
  const demo = document.getElementById('demo-children');
  const wasOpen = demo.querySelector('details')?.open ?? false;
  demo.replaceChildren();
  demo.hidden = state.demoChildren.length === 0;
  if (state.demoChildren.length) {
    const details = h('details', { open: wasOpen }, h('summary', { text: `${t('iin.demoHint')} ${state.demoChildren.length}` }));
    demo.append(details);
    details.append(
      h('div', { class: 'chips' }, ...state.demoChildren.map((c) =>
        h('button', {
          type: 'button',
          class: 'chip',
          'data-iin': c.iin,
          text: `${c.iin} · ${t(`status.${c.status}`)}`,
          onclick: () => {
            input.value = c.iin;
            state.iin = c.iin;
            renderIin();
            renderResults();
            input.focus();
          },
        }),
      )),
    );
  }
}

// ---------------------------------------------------------------------------------------
// Rendering: snapshot status, "now", footer

function renderSnapshotStatus() {
  const box = document.getElementById('snapshot-status');
  box.replaceChildren();
  const current = currentSnapshot();
  if (state.snapshotError) {
    box.append(h('p', { class: 'notice notice--error', text: t('snapshot.error', { detail: state.snapshotError }) }));
  }
  if (!current) {
    box.append(h('p', { class: 'muted', text: t('snapshot.none') }));
  } else {
    const free = freePlacesOf(current).reduce((sum, p) => sum + p.free, 0);
    box.append(
      h('p', {
        class: 'notice notice--ok',
        'data-testid': 'snapshot-loaded',
        text: t('snapshot.loaded', {
          district: districtName(current.district),
          date: fmtInstant(current.generatedAt),
          count: current.applications.length,
          free,
        }),
      }),
    );
    const previous = previousSnapshot();
    if (previous) box.append(h('p', { class: 'muted small', text: t('snapshot.previous', { date: fmtInstant(previous.generatedAt) }) }));
    const pageCalendar = state.rules.calendarInfo().version;
    if (current.calendarVersion && current.calendarVersion !== pageCalendar) {
      box.append(h('p', { class: 'notice notice--warn', text: t('snapshot.calendarMismatch', { snapshot: current.calendarVersion, page: pageCalendar }) }));
    }
  }
  const asof = document.getElementById('asof');
  if (state.asOf && document.activeElement !== asof) asof.value = asOfInputValue();
  document.getElementById('asof-note').hidden = state.asOfSource !== 'demo';
}

function renderFooter() {
  if (!state.rules) return;
  const info = state.rules.calendarInfo();
  document.getElementById('footer-rules').textContent = t('footer.rules', { version: state.rules.version() });
  document.getElementById('footer-calendar').textContent = t('footer.calendar', { version: info.version });
  document.getElementById('footer-years').textContent =
    `${t('footer.years')}: ` + info.years.map((y) => `${y.year} (${t(`year.${y.status}`)}, ${y.workingDays})`).join(', ');
}

// ---------------------------------------------------------------------------------------
// Rendering: the child's applications

function deadlineBlock(action, deadline, application) {
  const now = state.asOf;
  const today = astana(now).date;
  const day = astana(deadline).date;
  const lines = [];
  if (Date.parse(now) > Date.parse(deadline)) {
    lines.push(h('p', { class: 'deadline__left deadline__left--passed', text: t('deadline.passed') }));
  } else if (action === 'restoreVoucher') {
    // The rules' one definition of days left (the kiosk card shows the same): the restore
    // period counts calendar days, today included.
    const left = state.rules.daysLeft('restore', deadline, now).days;
    lines.push(h('p', { class: 'deadline__left', 'data-testid': 'days-left', text: left === 1 ? t('deadline.lastDay') : t('deadline.calendarLeft', { n: left }) }));
  } else {
    // Working days from today (while it is not over) to the deadline's day.
    const left = state.rules.daysLeft(action === 'confirmVoucher' ? 'confirm' : 'choose', deadline, now).days;
    const todayWorks = state.rules.isWorkingDay(today);
    let text;
    if (today === day) text = t('deadline.lastDay');
    else if (todayWorks) text = t('deadline.workingLeft', { n: left, after: left - 1 });
    else text = t('deadline.workingLeftNotToday', { n: left });
    lines.push(h('p', { class: 'deadline__left', 'data-testid': 'days-left', 'data-working-days': left, text }));
  }
  if (action === 'confirmVoucher' && Date.parse(now) <= Date.parse(deadline)) {
    const choose = state.rules.deadline('choose', now).at;
    lines.push(h('p', { class: 'muted small', text: t('deadline.ifConfirmToday', { date: fmtDate(astana(choose).date) }) }));
  }
  return h(
    'div',
    { class: 'deadline', 'data-action': action, 'data-deadline': deadline, 'data-application': application.id },
    h('p', { class: 'deadline__label', text: t(`deadline.${action}`) }),
    h('p', { class: 'deadline__date', text: t('deadline.at', { date: fmtDate(day) }) }),
    ...lines,
  );
}

const RULE_NOTES = { voucher_issued: 'rules.confirm', voucher_confirmed: 'rules.choose', stop_listed: 'rules.restore' };

/** The deadline the application waits on, when it has passed by the page's time (both asked
 * of the rules: `pendingDeadline`, then `daysLeft`, which is 0 once a deadline is over). */
function passedDeadline(application) {
  const pending = state.rules.pendingDeadline(application);
  if (!pending) return null;
  return state.rules.daysLeft(pending.kind, pending.at, state.asOf).days === 0 ? pending.at : null;
}

function eventText(event) {
  const app = event.application;
  switch (event.type) {
    case 'voucherIssued':
      return t('event.voucherIssued', { deadline: fmtInstant(event.confirmDeadline) });
    case 'voucherConfirmed':
    case 'voucherRestored':
    case 'choiceExtended':
      return t(`event.${event.type}`, { deadline: fmtInstant(event.chooseDeadline) });
    case 'stopListed':
      return t('event.stopListed', { deadline: fmtInstant(event.restoreDeadline) });
    case 'directionIssued': {
      const kg = currentSnapshot()?.kindergartens?.find((k) => k.id === event.direction.kindergarten);
      return t('event.directionIssued', { number: event.direction.number, kindergarten: kg ? kgName(kg) : event.direction.kindergarten });
    }
    case 'archived':
      return t('event.archived', { reason: t(`archive.${event.reason}`) });
    default:
      return t(`event.${event.type}`, { application: app });
  }
}

function explanation(application, ranked, rankedEntries) {
  const current = currentSnapshot();
  const preview = state.previews.get(application.id);
  let before;
  let after;
  let since;
  if (preview) {
    before = entriesOf(current.applications);
    after = rankedEntries;
  } else {
    const previous = previousSnapshot();
    if (!previous) {
      return application.status === 'queued' ? h('p', { class: 'muted small', text: t('explain.noPrevious') }) : null;
    }
    before = entriesOf(previous.applications);
    after = entriesOf(current.applications);
    since = fmtInstant(previous.generatedAt);
  }
  const change = state.rules.explainPosition(before, after, application.id, state.lang);
  if (change.before == null && change.after == null) return null;
  const box = h('div', { class: 'explain', 'data-testid': 'explain' }, h('h4', { text: t('explain.heading') }));
  if (preview) {
    box.append(h('p', { text: t('explain.preview', { before: change.before ?? '—', after: change.after ?? '—' }) }));
  } else if (change.before == null) {
    box.append(h('p', { text: t('explain.newInQueue', { date: since, after: change.after }) }));
  } else if (change.after == null) {
    box.append(h('p', { text: t('explain.leftQueue', { date: since, before: change.before }) }));
  } else if (change.before === change.after && !change.enteredAhead.length && !change.leftAhead.length) {
    box.append(h('p', { text: t('explain.unchanged', { date: since, after: change.after }) }));
  } else {
    box.append(h('p', { class: 'explain__summary', text: t('explain.change', { date: since, before: change.before, after: change.after }) }));
  }
  const list = (title, movers) => {
    if (!movers.length) return null;
    const shown = movers.slice(0, MAX_MOVERS_SHOWN);
    const items = shown.map((m) => h('li', { text: t('explain.mover', { id: m.id, right: t(`right.${m.right}`), reason: m.reasonText }) }));
    if (movers.length > shown.length) items.push(h('li', { class: 'muted', text: `… +${movers.length - shown.length}` }));
    return h('div', {}, h('p', { class: 'explain__title', text: `${title} ${movers.length}` }), h('ul', {}, items));
  };
  // Who moved matters while the child is in the queue; after it left, the lists are noise.
  if (change.after != null) {
    box.append(list(t('explain.entered'), change.enteredAhead) ?? '', list(t('explain.left'), change.leftAhead) ?? '');
  }
  return box;
}

function fact(label, value, attrs = {}) {
  return h('div', { class: 'facts__row' }, h('dt', { text: label }), h('dd', attrs, value));
}

function actionControls(application, allowed, freePlaces) {
  const parent = allowed.filter((a) => a.role === PARENT_ROLE);
  const others = allowed.filter((a) => a.role !== PARENT_ROLE);
  const box = h('div', { class: 'actions' }, h('h4', { text: t('actions.heading') }));
  if (!allowed.length) box.append(h('p', { class: 'muted', text: t('actions.none') }));
  const byRole = new Map();
  for (const a of others) byRole.set(a.role, [...(byRole.get(a.role) ?? []), a.label]);
  for (const [role, labels] of byRole) {
    box.append(h('p', { class: 'muted small', text: t('actions.waiting', { role: t(`role.${role}`), labels: labels.join(' · ') }) }));
  }
  if (!parent.length) return box;
  box.append(h('p', { class: 'muted small', text: t('actions.previewNote') }));
  const run = (action) => preview(application, action, freePlaces);
  const tag = h('span', { class: 'tag', text: t('actions.previewTag') });
  for (const a of parent) {
    const id = `${application.id}-${a.action}`.replace(/[^\w-]/g, '_');
    if (a.action === 'chooseKindergarten') {
      const kindergartens = currentSnapshot().kindergartens ?? [];
      const year = Number(application.child.birthDate.slice(0, 4));
      const options = freePlaces
        .filter((p) => p.groupYear === year && p.free > 0)
        .map((p) => ({ p, kg: kindergartens.find((k) => k.id === p.kindergarten) }))
        .filter(({ kg }) => kg && kg.district === application.district && (kg.queueType ?? 'general') === application.queueType);
      if (!options.length) {
        box.append(h('p', { class: 'notice notice--warn', text: t('actions.noFreePlaces', { year }) }));
        continue;
      }
      const name = `${id}-choice`;
      const choices = options.map(({ p, kg }, i) =>
        h(
          'label',
          { class: 'choice' },
          h('input', { type: 'radio', name, value: `${p.kindergarten}|${p.language}`, checked: i === 0 }),
          h(
            'span',
            { class: 'choice__text' },
            h('span', { class: 'choice__name', text: kgName(kg) }),
            h('span', { class: 'choice__meta muted small', text: `${t(`language.${p.language}`)} · ${t('actions.freeCount', { n: p.free })}` }),
          ),
        ),
      );
      box.append(
        h(
          'form',
          {
            class: 'action-form',
            'data-action': a.action,
            onsubmit: (e) => {
              e.preventDefault();
              const picked = e.currentTarget.querySelector('input[type="radio"]:checked');
              if (!picked) return;
              const [kindergarten, language] = picked.value.split('|');
              run({ type: 'chooseKindergarten', kindergarten, language });
            },
          },
          h('fieldset', { class: 'choices' }, h('legend', { class: 'field-label', text: t('actions.kindergarten') }), choices),
          h('button', { type: 'submit', class: 'button button--primary', 'data-action': a.action }, a.label, ' ', tag.cloneNode(true)),
        ),
      );
    } else if (a.action === 'extendChoice') {
      const days = h('input', { id: `${id}-days`, type: 'number', min: 1, max: 30, value: 10, inputmode: 'numeric', required: true });
      box.append(
        h(
          'form',
          {
            class: 'action-form action-form--inline',
            'data-action': a.action,
            onsubmit: (e) => {
              e.preventDefault();
              run({ type: 'extendChoice', days: Number(days.value) });
            },
          },
          h('label', { class: 'field-label', for: `${id}-days`, text: t('actions.days') }),
          days,
          h('button', { type: 'submit', class: 'button button--secondary', 'data-action': a.action }, a.label, ' ', tag.cloneNode(true)),
        ),
      );
    } else {
      const danger = ['refuseVoucher', 'withdraw'].includes(a.action);
      let row = box.lastElementChild;
      if (!row?.classList.contains('action-buttons')) {
        row = h('div', { class: 'action-buttons' });
        box.append(row);
      }
      row.append(
        h(
          'button',
          { type: 'button', class: `button ${danger ? 'button--danger' : 'button--primary'}`, 'data-action': a.action, onclick: () => run({ type: a.action }) },
          a.label,
          ' ',
          tag.cloneNode(true),
        ),
      );
    }
  }
  return box;
}

function preview(application, action, freePlaces) {
  try {
    // The directory too, so that the rules check a choice as the center does.
    const kindergartens = currentSnapshot()?.kindergartens ?? [];
    const result = state.rules.apply(application, action, state.asOf, { lang: state.lang, freePlaces, kindergartens });
    state.previews.set(application.id, result);
    state.errors.delete(application.id);
  } catch (e) {
    state.errors.set(application.id, `${e.message}${e.code ? ` (${e.code})` : ''}`);
  }
  renderResults();
  document.querySelector(`[data-application-card="${CSS.escape(application.id)}"] .preview, [data-application-card="${CSS.escape(application.id)}"] .notice--error`)?.focus();
}

function applicationCard(original, ctx) {
  const previewed = state.previews.get(original.id);
  const application = previewed?.application ?? original;
  const ranked = ctx.ranked.find((r) => r.id === application.id);
  const total = ranked ? ctx.ranked.filter((r) => r.district === ranked.district && r.queueType === ranked.queueType && r.groupYear === ranked.groupYear).length : 0;
  const year = Number(application.child.birthDate.slice(0, 4));
  const card = h('article', { class: `app-card${previewed ? ' app-card--preview' : ''}`, 'data-application-card': application.id, 'aria-labelledby': `title-${application.id}` });
  card.append(
    h(
      'header',
      { class: 'app-card__header' },
      h('h3', { id: `title-${application.id}` }, h('span', { class: 'muted small', text: t('field.number') }), h('span', { class: 'app-card__number', text: application.id })),
      h(
        'div',
        { class: 'badges' },
        previewed ? h('span', { class: 'badge badge--preview', text: t('preview.badge') }) : null,
        h('span', { class: `badge badge--${application.status}`, 'data-testid': 'status', 'data-status': application.status, text: t(`status.${application.status}`) }),
      ),
    ),
  );
  const facts = h(
    'dl',
    { class: 'facts' },
    fact(t('field.child'), application.child.name),
    fact(t('field.birthDate'), fmtDate(application.child.birthDate)),
    fact(t('field.district'), districtName(application.district)),
    fact(t('field.queue'), t('field.queueValue', { type: t(`queueType.${application.queueType}`), year })),
    fact(t('field.right'), application.right === 'none' ? t('right.none') : `${t(`right.${application.right}`)}${application.rightCategory ? ` — ${categoryName(application.rightCategory)}` : ''}`),
    fact(t('field.registeredAt'), fmtInstant(application.registeredAt)),
    fact(t('field.status'), t(`status.${application.status}`)),
    fact(
      t('field.position'),
      ranked ? t('field.positionOf', { position: ranked.position, total }) : t('field.noPosition'),
      { 'data-testid': 'position', 'data-position': ranked?.position ?? '' },
    ),
  );
  if (application.archiveReason) facts.append(fact(t('field.archiveReason'), t(`archive.${application.archiveReason}`)));
  if (application.direction) {
    const kg = currentSnapshot().kindergartens?.find((k) => k.id === application.direction.kindergarten);
    facts.append(
      fact(
        t('field.direction'),
        t('field.directionValue', { number: application.direction.number, kindergarten: kg ? kgName(kg) : application.direction.kindergarten, language: t(`language.${application.direction.language}`) }),
      ),
    );
  }
  card.append(facts);
  if (!ranked && !previewed) card.append(h('p', { class: 'muted small', text: t('field.noPositionNote') }));
  const snapshotPosition = ctx.snapshotPositions?.get(application.id);
  if (!previewed && ranked && snapshotPosition !== undefined && snapshotPosition !== ranked.position) {
    card.append(h('p', { class: 'notice notice--warn', text: t('snapshot.positionMismatch', { computed: ranked.position, snapshot: snapshotPosition }) }));
  }
  for (const w of application.warnings ?? []) card.append(h('p', { class: 'notice notice--warn small', text: t(`warning.${w}`) }));

  const explain = explanation(application, ranked, ctx.entries);
  if (explain) card.append(explain);

  let allowed = [];
  let passed = null;
  try {
    allowed = state.rules.allowedActions(application, state.asOf, state.lang);
    passed = passedDeadline(application);
  } catch (e) {
    card.append(h('p', { class: 'notice notice--error', text: `${e.message} (${e.code})` }));
  }
  const deadlines = new Map();
  for (const a of allowed) {
    if (a.deadline && !(a.action === 'extendChoice' && allowed.some((b) => b.action === 'chooseKindergarten'))) deadlines.set(a.action, a.deadline);
  }
  if (deadlines.size || passed || RULE_NOTES[application.status]) {
    const box = h('div', { class: 'deadlines' }, h('h4', { text: t('deadline.heading') }));
    if (passed) box.append(h('p', { class: 'notice notice--warn', text: t('deadline.expiredSinceSnapshot', { date: fmtInstant(passed) }) }));
    for (const [action, deadline] of deadlines) box.append(deadlineBlock(action, deadline, application));
    if (RULE_NOTES[application.status]) box.append(h('p', { class: 'muted small rule-note', text: t(RULE_NOTES[application.status]) }));
    card.append(box);
  }

  const error = state.errors.get(original.id);
  if (error) card.append(h('p', { class: 'notice notice--error', role: 'alert', tabindex: '-1' }, h('strong', { text: `${t('preview.error')}: ` }), error));

  if (previewed) {
    card.append(
      h(
        'div',
        { class: 'preview', tabindex: '-1', role: 'region', 'aria-label': t('preview.heading'), 'data-testid': 'preview' },
        h('h4', { text: t('preview.heading') }),
        h('p', { class: 'small', text: t('preview.note') }),
        h('p', {}, `${t('preview.status')}: `, h('strong', { 'data-testid': 'preview-status', text: t(`status.${application.status}`) })),
        h('p', { class: 'explain__title', text: t('preview.events') }),
        h('ol', { class: 'events' }, previewed.events.map((e) => h('li', { text: eventText(e) }))),
        h('button', {
          type: 'button',
          class: 'button button--secondary',
          'data-testid': 'preview-reset',
          text: t('preview.reset'),
          onclick: () => {
            state.previews.delete(original.id);
            state.errors.delete(original.id);
            renderResults();
          },
        }),
      ),
    );
  }
  card.append(actionControls(application, allowed, ctx.freePlaces));
  return card;
}

function renderResults() {
  const box = document.getElementById('results');
  box.replaceChildren();
  if (!state.rules) return;
  const check = iinCheck();
  const current = currentSnapshot();
  if (check.kind !== 'valid') {
    box.append(h('p', { class: 'muted', text: t('results.enterIin') }));
    return;
  }
  if (!current) {
    box.append(h('p', { class: 'muted', text: t('results.loadSnapshot') }));
    return;
  }
  const mine = current.applications.filter((a) => a.child.iin === state.iin);
  if (!mine.length) {
    box.append(h('p', { class: 'notice', text: t('results.none') }));
    return;
  }
  // Positions with the previews applied (a preview may take the child out of the queue).
  const applications = current.applications.map((a) => state.previews.get(a.id)?.application ?? a);
  const entries = entriesOf(applications);
  const ranked = state.previews.size ? state.rules.rankQueue(entries) : current.ranked;
  const snapshotPositions = Array.isArray(current.positions) ? new Map(current.positions.map((p) => [p.id, p.position])) : null;
  const ctx = { ranked, entries, freePlaces: freePlacesOf(current), snapshotPositions };
  for (const application of mine) box.append(applicationCard(application, ctx));
}

function renderAll() {
  if (!state.rules) return;
  // Connected mode (served by the center): connected/ draws the page; the footer stays.
  if (state.connected) {
    state.connected.render();
    renderFooter();
    return;
  }
  renderIin();
  renderSnapshotStatus();
  renderResults();
  renderFooter();
}

// ---------------------------------------------------------------------------------------
// Start

async function main() {
  const status = document.getElementById('app-status');
  state.lang = pickInitialLang();
  await setLang(state.lang);
  try {
    const mod = await import(WASM_MODULE.href);
    await mod.default();
    state.rules = mod;
  } catch (e) {
    status.textContent = `${t('app.wasmError')} (${e.message})`;
    status.className = 'notice notice--error';
    document.documentElement.dataset.ready = 'error';
    return;
  }
  status.hidden = true;
  const [districts, categories] = await Promise.all([
    fetchJson(new URL('data/districts.json', import.meta.url)).catch(() => []),
    fetchJson(new URL('data/categories.json', import.meta.url)).catch(() => []),
  ]);
  state.districts = districts;
  state.categories = categories;

  // Connected mode: the center serves this page next to the parents' API (connected/).
  const { detectConnected } = await import('./connected/api.js');
  const me = await detectConnected();
  if (me) {
    const { startConnected } = await import('./connected/main.js');
    state.connected = await startConnected({ me, rules: state.rules, t, h, lang: () => state.lang, districts, categories });
    for (const button of document.querySelectorAll('#lang-switch [data-lang]')) {
      button.addEventListener('click', () => setLang(button.dataset.lang));
    }
    renderAll();
    document.documentElement.dataset.ready = '1';
    return;
  }

  const params = new URLSearchParams(location.search);
  const nowParam = params.get('now');
  if (nowParam && !Number.isNaN(Date.parse(nowParam))) setAsOf(toAstanaInstant(Date.parse(nowParam)), 'param');
  else setAsOf(toAstanaInstant(Date.now()), 'clock');

  const input = document.getElementById('iin');
  input.disabled = false;
  input.addEventListener('input', () => {
    state.iin = input.value;
    renderIin();
    renderResults();
  });
  for (const id of ['load-demo', 'snapshot-file', 'asof', 'asof-now']) document.getElementById(id).disabled = false;
  document.getElementById('load-demo').addEventListener('click', loadDemo);
  document.getElementById('snapshot-file').addEventListener('change', (e) => {
    if (e.target.files.length) loadFiles(e.target.files);
    e.target.value = '';
  });
  document.getElementById('asof').addEventListener('change', (e) => {
    const value = e.target.value;
    if (!value) return;
    const full = value.length === 16 ? `${value}:00` : value;
    const ms = Date.parse(`${full}+05:00`);
    if (Number.isNaN(ms)) return;
    setAsOf(toAstanaInstant(ms), 'manual');
    renderAll();
  });
  document.getElementById('asof-now').addEventListener('click', () => {
    setAsOf(toAstanaInstant(Date.now()), 'clock');
    renderAll();
  });
  for (const button of document.querySelectorAll('#lang-switch [data-lang]')) {
    button.addEventListener('click', () => setLang(button.dataset.lang));
  }

  if (params.get('iin')) {
    input.value = params.get('iin');
    state.iin = input.value;
  }
  if (params.has('demo')) await loadDemo();
  renderAll();
  document.documentElement.dataset.ready = '1';
}

main().catch((e) => {
  const status = document.getElementById('app-status');
  status.hidden = false;
  status.textContent = e.message;
  status.className = 'notice notice--error';
  document.documentElement.dataset.ready = 'error';
});
