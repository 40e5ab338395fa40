// Reviews: the list, one item with its application and history, and the decision.

import { api } from '../api.js';
import { badge, fill, h, table } from '../dom.js';
import { go, page, render } from '../frame.js';
import { day, districtName, label, stamp, t, when } from '../i18n.js';
import { state } from '../state.js';
import { busy, confirmDialog } from '../ui.js';

export async function renderReviews(args, alive) {
  if (args[0]) return renderReview(args[0], alive);
  const toggle = h('input', {
    type: 'checkbox',
    id: 'show-decided',
    checked: state.showDecided,
    onchange: (e) => {
      state.showDecided = e.target.checked;
      render();
    },
  });
  const { body } = page(t('reviews.heading'), {
    tools: [h('div', { class: 'check' }, toggle, h('label', { for: 'show-decided' }, t('reviews.showDecided')))],
    lead: t('reviews.lead'),
  });
  const items = await api('GET', `/reviews${state.showDecided ? '?all=true' : ''}`);
  if (!alive()) return;
  if (!items.length) {
    fill(body, h('p', { class: 'empty', 'data-testid': 'reviews-empty' }, t('reviews.empty')));
    return;
  }
  fill(body,
    h(
      'section',
      { class: 'card' },
      table(
        [t('reviews.id'), t('reviews.kind'), t('common.district'), t('reviews.application'), t('reviews.reason'), t('reviews.status'), ''],
        items.map((item) =>
          h(
            'tr',
            { 'data-review-id': item.id },
            h('td', { class: 'mono' }, item.id),
            h('td', {}, label('reviewKind', item.kind)),
            h('td', {}, districtName(item.district)),
            h('td', { class: 'mono' }, item.application ?? t('common.none')),
            h('td', { class: 'wrap' }, item.reason || item.code),
            h('td', {}, badge(label('reviewStatus', item.status), item.status === 'open' ? 'amber' : 'grey')),
            h('td', {}, h('a', { href: `#/reviews/${encodeURIComponent(item.id)}`, class: 'button-link', 'aria-label': `${t('common.open')} ${item.id}` }, t('common.open'))),
          ),
        ),
        { 'data-testid': 'reviews' },
      ),
    ),
  );
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).flatMap(([term, value, attrs = {}]) => [h('dt', {}, term), h('dd', attrs, value)]),
  );
}

async function renderReview(id, alive) {
  const back = h('a', { href: '#/reviews', class: 'button-link secondary' }, t('review.back'));
  const { body } = page(t('review.heading', { id }), { tools: [back] });
  const detail = await api('GET', `/reviews/${encodeURIComponent(id)}`);
  if (!alive()) return;
  const { item, application: app, kindergarten, history } = detail;
  const refusal = item.kind === 'refusal';

  const itemCard = h(
    'section',
    { class: 'card', 'data-testid': 'review-item' },
    h('h2', {}, t('review.item')),
    facts([
      [t('review.kind'), label('reviewKind', item.kind)],
      [t('common.district'), districtName(item.district)],
      [refusal ? t('review.refusalReason') : t('review.reason'), item.reason || t('common.none'), { class: 'reason', 'data-testid': 'review-reason' }],
      !refusal && [t('review.code'), item.code, { class: 'mono' }],
      item.kiosk && [t('review.kiosk'), `${item.kiosk}, ${item.seq ?? ''}`, { class: 'mono' }],
      [t('review.status'), badge(label('reviewStatus', item.status), item.status === 'open' ? 'amber' : 'grey')],
    ]),
  );

  const appCard = app
    ? h(
        'section',
        { class: 'card', 'data-testid': 'review-application' },
        h('h2', {}, `${t('review.application')} ${app.id}`),
        facts([
          [t('review.child'), app.child?.name ?? t('common.none')],
          [t('review.birthDate'), day(app.child?.birthDate)],
          [t('review.queue'), label('queueType', app.queueType)],
          [t('review.right'), label('right', app.right)],
          [t('review.registeredAt'), when(app.registeredAt)],
          [t('review.appStatus'), label('status', app.status)],
          app.voucher && [t('review.voucher'), when(app.voucher.issuedAt)],
          app.direction && [t('review.direction'), `${app.direction.number} · ${when(app.direction.issuedAt)}`, { class: 'mono' }],
          app.direction && [
            t('review.kindergarten'),
            kindergarten ? `${kindergarten.name?.[state.lang] ?? kindergarten.name?.ru ?? kindergarten.id} (${kindergarten.id})` : app.direction.kindergarten,
          ],
          app.direction && [t('review.groupLanguage'), label('language', app.direction.language)],
        ]),
      )
    : null;

  const historyCard = h(
    'section',
    { class: 'card', 'data-testid': 'review-history' },
    h('h2', {}, t('review.history')),
    history.length
      ? table(
          [t('review.history.at'), t('review.history.source'), t('review.history.by'), t('review.history.action'), t('review.history.refused')],
          history.map((row) =>
            h(
              'tr',
              {},
              h('td', {}, stamp(row.at)),
              h('td', { class: 'mono' }, row.seq ? `${row.source} #${row.seq}` : row.source),
              h('td', {}, row.by || t('common.none')),
              h('td', {}, label('action', row.action)),
              h('td', { class: 'wrap' }, row.refused ?? ''),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('review.history.empty')),
  );

  fill(body, h('div', { class: 'grid two' }, h('div', { class: 'stack' }, itemCard, decisionCard(item)), appCard), historyCard);
}

function decisionCard(item) {
  if (item.status !== 'open') {
    return h('section', { class: 'card' }, h('h2', {}, t('review.decision')), h('p', {}, t('review.alreadyDecided')));
  }
  const refusal = item.kind === 'refusal';
  const slot = h('div', { class: 'slot' });
  const note = h('textarea', { id: 'note', rows: 3, maxlength: 2000, 'aria-describedby': 'note-hint' });
  const decide = (decision) => async (e) => {
    const button = e.currentTarget;
    const question = decision === 'uphold' ? 'review.confirmUphold' : 'review.confirmOverrule';
    const confirmLabel = refusal ? t(`review.${decision}`) : t(`review.${decision}Entry`);
    if (!(await confirmDialog(t(question, { id: item.id }), t('review.confirmText'), confirmLabel))) return;
    await busy(button, slot, async () => {
      const decided = await api('POST', `/reviews/${encodeURIComponent(item.id)}`, { decision, note: note.value });
      state.notice = { kind: 'ok', text: t(`review.decided.${decided.status}`, { id: item.id }) };
      go('reviews');
    });
  };
  return h(
    'section',
    { class: 'card decision', 'data-testid': 'review-decision' },
    h('h2', {}, t('review.decision')),
    h('div', { class: 'field' }, h('label', { for: 'note' }, t('review.note')), note, h('p', { class: 'hint', id: 'note-hint' }, t('review.noteHint'))),
    slot,
    h(
      'div',
      { class: 'buttons split' },
      h('button', { type: 'button', id: 'uphold', class: 'primary', onclick: decide('uphold') }, refusal ? t('review.uphold') : t('review.upholdEntry')),
      h('button', { type: 'button', id: 'overrule', class: 'danger', onclick: decide('overrule') }, refusal ? t('review.overrule') : t('review.overruleEntry')),
    ),
    refusal ? h('ul', { class: 'hint' }, h('li', {}, t('review.upholdHelp')), h('li', {}, t('review.overruleHelp'))) : null,
  );
}
