// The audit trail.

import { api } from '../api.js';
import { fill, h, table } from '../dom.js';
import { page, render } from '../frame.js';
import { label, stamp, t } from '../i18n.js';
import { state } from '../state.js';

const AUDIT_LIMITS = [50, 200, 1000];

export async function renderAudit(_args, alive) {
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
                h('td', { class: 'wrap' }, r.note ?? ''),
              ),
            ),
            { 'data-testid': 'audit' },
          ),
        )
      : h('p', { class: 'empty' }, t('audit.empty')),
  );
}
