// The dashboard: a district's queues, statuses, vouchers, places, kiosks and schedule.

import { api } from '../api.js';
import { chartFigure } from '../charts.js';
import { fill, h, table } from '../dom.js';
import { districtPicker, page, pickDistrict, rememberDistrict, render } from '../frame.js';
import { districtName, label, stamp, t, tn, when } from '../i18n.js';
import { kioskState, offline } from './kiosks.js';

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

export async function renderDashboard(args, alive) {
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

  const vouchers = listCard('vouchers', 'dashboard.vouchers', d.vouchers,
    [t('dashboard.vouchers.application'), t('dashboard.vouchers.status'), t('dashboard.vouchers.kind'), t('dashboard.vouchers.daysLeft')],
    (v) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, v.application),
        h('td', {}, label('status', v.status)),
        h('td', {}, label('deadline', v.kind), h('br'), h('time', { datetime: v.deadline }, t('dashboard.vouchers.deadline', { at: when(v.deadline) }))),
        h('td', { class: 'num nowrap' }, v.daysLeft === undefined ? t('common.none') : tn('days', v.daysLeft)),
      ),
    { scroll: true },
  );
  const places = listCard('places', 'dashboard.places', d.places,
    [t('dashboard.places.year'), t('dashboard.places.pending'), t('dashboard.places.free'), t('dashboard.places.enrolled')],
    (p) => h('tr', {}, h('td', {}, p.groupYear), h('td', { class: 'num' }, p.pending), h('td', { class: 'num' }, p.free), h('td', { class: 'num' }, p.enrolled)),
  );
  const kiosks = listCard('dashboard-kiosks', 'dashboard.kiosks', d.kiosks,
    [t('kiosk.id'), t('kiosk.lastSeen'), t('kiosk.offline'), t('kiosk.state')],
    (k) =>
      h(
        'tr',
        { 'data-kiosk': k.id, class: k.warning ? 'warn' : null },
        h('td', { class: 'mono' }, k.id),
        h('td', {}, k.lastSeen ? stamp(k.lastSeen) : t('kiosk.neverSeen')),
        h('td', {}, offline(k)),
        h('td', {}, kioskState(k)),
      ),
    { footer: h('p', { class: 'muted small' }, t('dashboard.kiosks.legend', { days: tn('days', d.offlineWarningDays) })) },
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

// A card with a heading and a table of `rows` (or the area's "empty" text when there are none);
// `keys` names the texts `<keys>.heading` and `<keys>.empty`.
function listCard(testid, keys, rows, headers, row, { scroll = false, footer = null } = {}) {
  const list = table(headers, rows.map(row));
  return h(
    'section',
    { class: 'card', 'data-testid': testid },
    h('h2', {}, t(`${keys}.heading`)),
    rows.length ? (scroll ? h('div', { class: 'scroll' }, list) : list) : h('p', { class: 'muted' }, t(`${keys}.empty`)),
    footer,
  );
}
