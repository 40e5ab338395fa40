// The console's texts in ru/kk/en, and the API's instants, dates and district names as shown.

import { h } from './dom.js';
import { state } from './state.js';

const LANGS = ['ru', 'kk', 'en'];
const LANG_KEY = 'kezek.console.lang';

export function t(key, params = {}) {
  const text = state.dict[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** A text with a number in it, in the language's plural form. */
export function tn(key, n) {
  const form = new Intl.PluralRules(state.lang).select(n);
  const full = `${key}.${form}`;
  return t(full in state.dict ? full : `${key}.other`, { n });
}

/** A text of a code (status, queue type, …), or the code itself when there is none. */
export function label(prefix, code) {
  const key = `${prefix}.${code}`;
  return key in state.dict ? t(key) : code;
}

/** An RFC 3339 instant from the API as the Astana wall clock it carries ("03.12.2026 18:00"). */
export function when(instant) {
  if (!instant) return t('common.none');
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(instant);
  if (!m) return instant;
  const [, y, mo, d, hh, mm, offset] = m;
  const text = `${d}.${mo}.${y} ${hh}:${mm}`;
  return offset === '+05:00' ? text : `${text} (UTC${offset === 'Z' ? '' : offset})`;
}

/** `when` as a <time> element (kept on one line). */
export function stamp(instant) {
  return instant ? h('time', { datetime: instant }, when(instant)) : t('common.none');
}

/** A date (YYYY-MM-DD) as DD.MM.YYYY. */
export function day(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (date ?? t('common.none'));
}

export function districtName(code) {
  const names = state.me?.districtNames?.[code];
  return names?.[state.lang] ?? names?.ru ?? code;
}

export async function loadLanguage(lang) {
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

export function initialLanguage() {
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
