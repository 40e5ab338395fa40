// The page's texts in ru/kk/en, and names (districts, categories, kindergartens) in its language.

import { fetchJson } from './dom.js';
import { renderAll } from './render.js';
import { state } from './state.js';

const LANGS = ['ru', 'kk', 'en'];

export function t(key, params = {}) {
  const text = state.dicts[state.lang]?.[key] ?? state.dicts.ru?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function kgName(kg) {
  if (!kg) return '';
  return state.lang === 'kk' ? kg.name?.kk ?? kg.name?.ru ?? kg.id : kg.name?.ru ?? kg.id;
}

export function districtName(code) {
  const d = state.districts.find((x) => x.code === code);
  return d?.name?.[state.lang] ?? d?.name?.ru ?? code;
}

export function categoryName(code) {
  const c = state.categories.find((x) => x.code === code);
  return c?.name?.[state.lang] ?? c?.name?.ru ?? code;
}

export function pickInitialLang() {
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

export async function setLang(lang) {
  if (!state.dicts[lang]) state.dicts[lang] = await fetchJson(new URL(`../i18n/${lang}.json`, import.meta.url));
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
