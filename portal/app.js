// Kezek parents' portal. Static page; every rule (IIN, calendar, deadlines, allowed
// actions, their results, queue positions and their explanation) comes from the rules
// compiled to WebAssembly (wasm-pkg). These modules only read input, call the rules and
// show the answers in ru/kk/en. Nothing is sent anywhere (in demo mode).
//
// This is the entry: it loads the rules and starts the page, in demo mode (offline/) or,
// when the center serves it next to the parents' API, in connected mode (connected/).

import { astanaInstant } from './connected/util.js';
import { fetchJson, h } from './offline/dom.js';
import { pickInitialLang, setLang, t } from './offline/i18n.js';
import { renderResults } from './offline/card.js';
import { renderIin } from './offline/iin.js';
import { renderAll } from './offline/render.js';
import { loadDemo, loadFiles, setAsOf } from './offline/snapshots.js';
import { state } from './offline/state.js';

const WASM_MODULE = new URL('../wasm-pkg/pkg/web/kezek.js', import.meta.url);

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
  if (nowParam && !Number.isNaN(Date.parse(nowParam))) setAsOf(astanaInstant(Date.parse(nowParam)), 'param');
  else setAsOf(astanaInstant(Date.now()), 'clock');

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
    setAsOf(astanaInstant(ms), 'manual');
    renderAll();
  });
  document.getElementById('asof-now').addEventListener('click', () => {
    setAsOf(astanaInstant(Date.now()), 'clock');
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
