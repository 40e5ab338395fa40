// Distribution: the dry run's plan and the round.

import { api } from '../api.js';
import { fill, h, table } from '../dom.js';
import { districtPicker, page, pickDistrict, rememberDistrict, render } from '../frame.js';
import { districtName, label, stamp, t, when } from '../i18n.js';
import { state } from '../state.js';
import { busy, confirmDialog } from '../ui.js';

export async function renderDistribution(args, alive) {
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
