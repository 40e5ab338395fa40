// Quarantine: the kiosks' refused notes, and re-examining them.

import { api } from '../api.js';
import { badge, fill, h, table } from '../dom.js';
import { page, render } from '../frame.js';
import { label, stamp, t } from '../i18n.js';
import { state } from '../state.js';
import { busy } from '../ui.js';

export async function renderQuarantine(_args, alive) {
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
