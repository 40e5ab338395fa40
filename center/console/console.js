// Kezek center: the staff web console. A static page over the staff API (/v1/staff/…).
// Every figure, deadline, day count, warning, position and permission on these pages is
// the API's answer: these modules ask, show the answers in ru/kk/en, and send the staff's
// decisions. They decide nothing themselves (the center asks `rules` for all of it).
//
// This is the entry: it lists the pages (js/pages/) and starts the console. The frame and
// routing are in js/frame.js, the staff API in js/api.js, the texts in js/i18n.js.

import { api, ApiError } from './js/api.js';
import { h } from './js/dom.js';
import { addPages, render } from './js/frame.js';
import { initialLanguage, loadLanguage } from './js/i18n.js';
import { renderAudit } from './js/pages/audit.js';
import { renderDashboard } from './js/pages/dashboard.js';
import { renderDistribution } from './js/pages/distribution.js';
import { renderKiosks } from './js/pages/kiosks.js';
import { renderQuarantine } from './js/pages/quarantine.js';
import { renderReviews } from './js/pages/reviews.js';
import { renderUsers } from './js/pages/users.js';
import { signOut } from './js/sign-in.js';
import { state } from './js/state.js';

addPages(
  { id: 'dashboard', may: 'view_stats', render: renderDashboard },
  { id: 'reviews', may: 'review', render: renderReviews },
  { id: 'distribution', may: 'distribute', render: renderDistribution },
  { id: 'kiosks', may: 'manage_kiosks', render: renderKiosks },
  { id: 'quarantine', may: 'run_center', render: renderQuarantine },
  { id: 'users', may: 'manage_users', render: renderUsers },
  { id: 'audit', may: 'view_audit', render: renderAudit },
);

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
