// The child's applications: one card each, with position, deadlines, explanation and actions.

import { fmtDate, fmtInstant } from '../connected/util.js';
import { actionControls } from './actions.js';
import { actionDeadlines, deadlineBlock, pendingDeadline } from './deadlines.js';
import { h } from './dom.js';
import { eventText, explanation } from './explain.js';
import { categoryName, districtName, kgName, t } from './i18n.js';
import { iinCheck } from './iin.js';
import { currentSnapshot, entriesOf, freePlacesOf } from './snapshots.js';
import { state } from './state.js';

function fact(label, value, attrs = {}) {
  return h('div', { class: 'facts__row' }, h('dt', { text: label }), h('dd', attrs, value));
}

function applicationCard(original, ctx) {
  const previewed = state.previews.get(original.id);
  const application = previewed?.application ?? original;
  // Position N of M in its queue, and its group year: the rules' answers.
  const place = state.rules.queuePlace(ctx.entries, application.id);
  const year = state.rules.applicationInfo(application).groupYear;
  const card = h('article', { class: `app-card${previewed ? ' app-card--preview' : ''}`, 'data-application-card': application.id, 'aria-labelledby': `title-${application.id}` });
  card.append(
    h(
      'header',
      { class: 'app-card__header' },
      h('h3', { id: `title-${application.id}` }, h('span', { class: 'muted small', text: t('field.number') }), h('span', { class: 'app-card__number', text: application.id })),
      h(
        'div',
        { class: 'badges' },
        previewed ? h('span', { class: 'badge badge--preview', text: t('preview.badge') }) : null,
        h('span', { class: `badge badge--${application.status}`, 'data-testid': 'status', 'data-status': application.status, text: t(`status.${application.status}`) }),
      ),
    ),
  );
  const facts = h(
    'dl',
    { class: 'facts' },
    fact(t('field.child'), application.child.name),
    fact(t('field.birthDate'), fmtDate(application.child.birthDate)),
    fact(t('field.district'), districtName(application.district)),
    fact(t('field.queue'), t('field.queueValue', { type: t(`queueType.${application.queueType}`), year })),
    fact(t('field.right'), application.right === 'none' ? t('right.none') : `${t(`right.${application.right}`)}${application.rightCategory ? ` — ${categoryName(application.rightCategory)}` : ''}`),
    fact(t('field.registeredAt'), fmtInstant(application.registeredAt)),
    fact(t('field.status'), t(`status.${application.status}`)),
    fact(
      t('field.position'),
      place ? t('field.positionOf', place) : t('field.noPosition'),
      { 'data-testid': 'position', 'data-position': place?.position ?? '' },
    ),
  );
  if (application.archiveReason) facts.append(fact(t('field.archiveReason'), t(`archive.${application.archiveReason}`)));
  if (application.direction) {
    const kg = currentSnapshot().kindergartens?.find((k) => k.id === application.direction.kindergarten);
    facts.append(
      fact(
        t('field.direction'),
        t('field.directionValue', { number: application.direction.number, kindergarten: kg ? kgName(kg) : application.direction.kindergarten, language: t(`language.${application.direction.language}`) }),
      ),
    );
  }
  card.append(facts);
  if (!place && !previewed) card.append(h('p', { class: 'muted small', text: t('field.noPositionNote') }));
  const snapshotPosition = ctx.snapshotPositions?.get(application.id);
  if (!previewed && place && snapshotPosition !== undefined && snapshotPosition !== place.position) {
    card.append(h('p', { class: 'notice notice--warn', text: t('snapshot.positionMismatch', { computed: place.position, snapshot: snapshotPosition }) }));
  }
  for (const w of application.warnings ?? []) card.append(h('p', { class: 'notice notice--warn small', text: t(`warning.${w}`) }));

  const explain = explanation(application, place, ctx.entries);
  if (explain) card.append(explain);

  let allowed = [];
  let pending = { deadline: null, passed: null };
  try {
    allowed = state.rules.allowedActions(application, state.asOf, state.lang);
    pending = pendingDeadline(application);
  } catch (e) {
    card.append(h('p', { class: 'notice notice--error', text: `${e.message} (${e.code})` }));
  }
  const deadlines = actionDeadlines(allowed);
  // The seed's text of the rule behind the deadline the application waits on.
  const note = pending.deadline ? t(`rules.${pending.deadline.kind}`) : null;
  if (deadlines.size || pending.passed || note) {
    const box = h('div', { class: 'deadlines' }, h('h4', { text: t('deadline.heading') }));
    if (pending.passed) box.append(h('p', { class: 'notice notice--warn', text: t('deadline.expiredSinceSnapshot', { date: fmtInstant(pending.passed) }) }));
    for (const [action, deadline] of deadlines) box.append(deadlineBlock(action, deadline, application));
    if (note) box.append(h('p', { class: 'muted small rule-note', text: note }));
    card.append(box);
  }

  const error = state.errors.get(original.id);
  if (error) card.append(h('p', { class: 'notice notice--error', role: 'alert', tabindex: '-1' }, h('strong', { text: `${t('preview.error')}: ` }), error));

  if (previewed) {
    card.append(
      h(
        'div',
        { class: 'preview', tabindex: '-1', role: 'region', 'aria-label': t('preview.heading'), 'data-testid': 'preview' },
        h('h4', { text: t('preview.heading') }),
        h('p', { class: 'small', text: t('preview.note') }),
        h('p', {}, `${t('preview.status')}: `, h('strong', { 'data-testid': 'preview-status', text: t(`status.${application.status}`) })),
        h('p', { class: 'explain__title', text: t('preview.events') }),
        h('ol', { class: 'events' }, previewed.events.map((e) => h('li', { text: eventText(e) }))),
        h('button', {
          type: 'button',
          class: 'button button--secondary',
          'data-testid': 'preview-reset',
          text: t('preview.reset'),
          onclick: () => {
            state.previews.delete(original.id);
            state.errors.delete(original.id);
            renderResults();
          },
        }),
      ),
    );
  }
  card.append(actionControls(application, allowed, ctx.freePlaces));
  return card;
}

export function renderResults() {
  const box = document.getElementById('results');
  box.replaceChildren();
  if (!state.rules) return;
  const check = iinCheck();
  const current = currentSnapshot();
  if (check.kind !== 'valid') {
    box.append(h('p', { class: 'muted', text: t('results.enterIin') }));
    return;
  }
  if (!current) {
    box.append(h('p', { class: 'muted', text: t('results.loadSnapshot') }));
    return;
  }
  const mine = current.applications.filter((a) => a.child.iin === state.iin);
  if (!mine.length) {
    box.append(h('p', { class: 'notice', text: t('results.none') }));
    return;
  }
  // Positions with the previews applied (a preview may take the child out of the queue).
  const applications = current.applications.map((a) => state.previews.get(a.id)?.application ?? a);
  const entries = entriesOf(applications);
  const snapshotPositions = Array.isArray(current.positions) ? new Map(current.positions.map((p) => [p.id, p.position])) : null;
  const ctx = { entries, freePlaces: freePlacesOf(current), snapshotPositions };
  for (const application of mine) box.append(applicationCard(application, ctx));
}
