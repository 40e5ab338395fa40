// The snapshot's status, the "now" field and the footer (the rules' and calendar's versions).

import { fmtInstant } from '../connected/util.js';
import { h } from './dom.js';
import { districtName, t } from './i18n.js';
import { asOfInputValue, currentSnapshot, freePlacesOf, previousSnapshot } from './snapshots.js';
import { state } from './state.js';

export function renderSnapshotStatus() {
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

export function renderFooter() {
  if (!state.rules) return;
  const info = state.rules.calendarInfo();
  document.getElementById('footer-rules').textContent = t('footer.rules', { version: state.rules.version() });
  document.getElementById('footer-calendar').textContent = t('footer.calendar', { version: info.version });
  document.getElementById('footer-years').textContent =
    `${t('footer.years')}: ` + info.years.map((y) => `${y.year} (${t(`year.${y.status}`)}, ${y.workingDays})`).join(', ');
}
