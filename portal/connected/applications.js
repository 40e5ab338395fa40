// "My applications": each application of the parent's children as the center sees it (status
// in words, position, deadlines, the actions the center allows now), the position explained
// from the public queue, and the actions: a local preview with the rules first (`apply`), then
// the center's answer. Choosing a kindergarten shows the e-contract and asks for an explicit
// "I accept and sign", which sends the contract's SHA-256 with the choice.

import { ApiError, publicQueue } from './api.js';
import { astana, describeEvent, domId, extendDays, fmtDate, fmtInstant, named, nowInstant, rulesApplication } from './util.js';

/** Public queue rows as the rules' rank entries (a queue is its group year; the birth date only gives it). */
function entries(district, rows) {
  return rows.map((r) => ({
    id: r.registration,
    district,
    queueType: r.queueType,
    birthDate: `${r.groupYear}-01-01`,
    right: r.right,
    registeredAt: r.registeredAt,
    status: r.status,
  }));
}

/** The district's public queue now and the version this device saw before it (localStorage: public data only). */
function remember(queue) {
  const key = `kezek.queue.${queue.district}`;
  const slim = { version: queue.version, publishedAt: queue.publishedAt, rows: queue.rows.map(({ deadline, ...r }) => r) };
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(key) ?? 'null');
  } catch {
    saved = null;
  }
  let previous = null;
  if (saved?.current?.version === queue.version) previous = saved.previous ?? null;
  else if (saved?.current) previous = saved.current;
  try {
    localStorage.setItem(key, JSON.stringify({ current: slim, previous }));
  } catch {
    /* storage full or blocked: no explanation across visits */
  }
  return previous;
}

export function applicationsView(page) {
  const { ctx, s } = page;
  const { t, h, rules } = ctx;
  const queues = new Map(); // district → { queue, previous, error }
  const flows = new Map(); // application id → { step, command, result, error, choices, picked, contract, agreed, days }

  async function loadQueue(district) {
    if (queues.has(district)) return;
    queues.set(district, { loading: true });
    try {
      const queue = await publicQueue(district);
      queues.set(district, { queue, previous: remember(queue) });
    } catch (e) {
      queues.set(district, { error: e });
    }
    page.render();
  }

  function load() {
    for (const a of s.me?.applications ?? []) loadQueue(a.district);
  }

  function kgLabel(id, flow) {
    const c = flow?.choices?.find((x) => x.id === id);
    return c ? c.name : id;
  }

  function eventText(event, flow) {
    return describeEvent(t, event, (id) => kgLabel(id, flow));
  }

  /** The actions the center allows the parent now, as `{action, deadline?}` (the center
   * lists only the parent's: rules::authz::parent). */
  function allowedOf(view) {
    return (view.allowedActions ?? []).map((a) => (typeof a === 'string' ? { action: a } : a));
  }

  /** `[[action, instant]]`: the deadline the application waits on, named by the action it
   * waits for, then those of the allowed actions, one per deadline (all the rules' answers). */
  function deadlinesOf(view) {
    const out = new Map();
    const kinds = new Set();
    const add = (action, kind, at) => {
      if (!kind || kinds.has(kind) || typeof at !== 'string') return;
      kinds.add(kind);
      out.set(action, at);
    };
    const pending = rules.pendingDeadline(rulesApplication(view));
    if (pending) add(pending.action, pending.kind, pending.at);
    for (const a of allowedOf(view)) if (a.deadline) add(a.action, rules.actionInfo(a.action).dueBy, a.deadline);
    return [...out];
  }

  function deadlineBlock(action, at) {
    const now = nowInstant();
    let left;
    try {
      // The rules' days left for the deadline the action is due by: 0 once it has passed.
      const { days, unit } = rules.daysLeft(rules.actionInfo(action).dueBy, at, now);
      if (days === 0) left = t('deadline.passed');
      else if (astana(now).date === astana(at).date) left = t('deadline.lastDay');
      else left = unit === 'calendar' ? t('deadline.calendarLeft', { n: days }) : t('c.deadline.workingLeft', { n: days });
    } catch (e) {
      left = e.message;
    }
    const label = t(`deadline.${action}`);
    return h(
      'div',
      { class: 'deadline', 'data-action': action, 'data-deadline': at },
      h('p', { class: 'deadline__label', text: label }),
      h('p', { class: 'deadline__date', text: t('deadline.at', { date: fmtDate(astana(at).date) }) }),
      h('p', { class: 'deadline__left', 'data-testid': 'days-left', text: left }),
    );
  }

  /** The place in its queue of the public queue, as the rules rank it (`queuePlace`): N of M. */
  function placeInPublicQueue(view, info) {
    if (!info?.queue) return null;
    try {
      return rules.queuePlace(entries(view.district, info.queue.rows), view.id);
    } catch {
      return null;
    }
  }

  function positionFacts(view) {
    const info = queues.get(view.district);
    const own = typeof view.position === 'object' && view.position ? view.position.position : view.position;
    const place = placeInPublicQueue(view, info);
    const position = own ?? place?.position ?? null;
    const text = position == null ? t('field.noPosition') : place ? t('field.positionOf', { position, total: place.total }) : String(position);
    return { position, text, info };
  }

  function explanation(view, info, position) {
    if (!info?.queue) return info?.error ? h('p', { class: 'muted small', text: t('c.queue.unavailable') }) : null;
    if (!info.previous) {
      return position != null ? h('p', { class: 'muted small', text: t('c.queue.firstVisit', { date: fmtInstant(info.queue.publishedAt) }) }) : null;
    }
    let change;
    try {
      change = rules.explainPosition(entries(view.district, info.previous.rows), entries(view.district, info.queue.rows), view.id, ctx.lang());
    } catch {
      return null;
    }
    if (change.before == null && change.after == null) return null;
    const since = fmtInstant(info.previous.publishedAt);
    const box = h('div', { class: 'explain', 'data-testid': 'explain' }, h('h4', { text: t('explain.heading') }));
    if (change.before == null) box.append(h('p', { text: t('explain.newInQueue', { date: since, after: change.after }) }));
    else if (change.after == null) box.append(h('p', { text: t('explain.leftQueue', { date: since, before: change.before }) }));
    else if (change.before === change.after && !change.enteredAhead.length && !change.leftAhead.length) {
      box.append(h('p', { text: t('explain.unchanged', { date: since, after: change.after }) }));
    } else {
      box.append(h('p', { class: 'explain__summary', text: t('explain.change', { date: since, before: change.before, after: change.after }) }));
      const list = (title, movers) =>
        movers.length
          ? h('div', {}, h('p', { class: 'explain__title', text: `${title} ${movers.length}` }), h('ul', {}, movers.slice(0, 8).map((m) => h('li', { text: t('explain.mover', { id: m.id, right: t(`right.${m.right}`), reason: m.reasonText }) }))))
          : '';
      box.append(list(t('explain.entered'), change.enteredAhead), list(t('explain.left'), change.leftAhead));
    }
    return box;
  }

  // -------------------------------------------------------------------------------------
  // Acting

  function preview(view, command) {
    try {
      return { result: rules.apply(rulesApplication(view), command, nowInstant(), { lang: ctx.lang() }) };
    } catch (e) {
      return { error: `${e.message}${e.code ? ` (${e.code})` : ''}` };
    }
  }

  function start(view, action, extra = {}) {
    const flow = { action, ...extra };
    if (action === 'chooseKindergarten') {
      flow.step = 'choose';
      flows.set(view.id, flow);
      page.render();
      loadChoices(view, flow);
      return;
    }
    const command = action === 'extendChoice' ? { type: action, days: extra.days } : { type: action };
    Object.assign(flow, { step: 'preview', command }, preview(view, command));
    flows.set(view.id, flow);
    page.render();
    page.focusAfter(`#flow-${domId(view.id)}`);
  }

  async function loadChoices(view, flow) {
    try {
      const answer = await page.call('GET', `/v1/parent/applications/${encodeURIComponent(view.id)}/choices`);
      // `{kindergartens: [{kindergarten: {id, name, address, phone}, free: [{language, places}]}]}`
      flow.choices = [];
      for (const c of answer?.kindergartens ?? []) {
        const k = c.kindergarten;
        const name = named(k.name, ctx.lang(), k.id);
        for (const l of c.free ?? []) {
          flow.choices.push({ key: `${k.id}|${l.language}`, id: k.id, name, language: l.language, free: l.places, address: k.address });
        }
      }
      flow.picked = flow.choices[0]?.key ?? null;
    } catch (e) {
      flow.error = `${e.message} (${e.code})`;
    }
    page.render();
    page.focusAfter(`#flow-${domId(view.id)}`);
  }

  async function loadContract(view, flow) {
    const choice = flow.choices.find((c) => c.key === flow.picked);
    if (!choice) return;
    flow.error = null;
    try {
      const q = new URLSearchParams({ kindergarten: choice.id, language: choice.language, lang: ctx.lang() });
      flow.contract = await page.call('GET', `/v1/parent/applications/${encodeURIComponent(view.id)}/contract?${q}`);
      flow.command = { type: 'chooseKindergarten', kindergarten: choice.id, language: choice.language };
      Object.assign(flow, { result: null }, preview(view, flow.command));
      flow.step = 'contract';
      flow.agreed = false;
    } catch (e) {
      flow.error = `${e.message} (${e.code})`;
    }
    page.render();
    page.focusAfter(`#flow-${domId(view.id)}`);
  }

  function send(view, flow) {
    page.run(async () => {
      const body = { action: flow.command };
      if (flow.command.type === 'chooseKindergarten') body.contractSha256 = flow.contract.sha256;
      try {
        const answer = await page.call('POST', `/v1/parent/applications/${encodeURIComponent(view.id)}/actions`, body);
        page.updateApplication(answer.application);
        flows.delete(view.id);
        queues.delete(view.district);
        loadQueue(view.district);
        page.announce(t('c.act.done', { status: t(`status.${answer.application.status}`) }));
        page.focusAfter(`#title-${domId(view.id)}`);
      } catch (e) {
        // The center's answer is what counts: show its refusal in the flow, keep the preview.
        flow.error = e instanceof ApiError ? `${e.message} (${e.code})` : e.message;
        if (e.code === 'CONTRACT_CHANGED' || e.code === 'STALE') flow.step = 'choose';
      }
    });
  }

  function flowBox(view, flow) {
    const id = `flow-${domId(view.id)}`;
    const box = h('div', { id, class: 'preview flow', tabindex: '-1', role: 'region', 'aria-label': t('preview.heading'), 'data-testid': 'flow', 'data-step': flow.step });
    const cancel = h('button', {
      type: 'button',
      class: 'button button--secondary',
      'data-testid': 'flow-cancel',
      text: t('c.act.cancel'),
      onclick: () => {
        flows.delete(view.id);
        page.render();
        page.focusAfter(`#title-${domId(view.id)}`);
      },
    });
    if (flow.step === 'choose') {
      box.append(h('h4', { text: t('c.choose.heading') }));
      if (!flow.choices && !flow.error) box.append(h('p', { class: 'muted', text: t('c.loading') }));
      if (flow.choices && !flow.choices.length) box.append(h('p', { class: 'notice notice--warn', text: t('c.choose.none') }));
      if (flow.choices?.length) {
        const name = `choice-${domId(view.id)}`;
        box.append(
          h(
            'form',
            {
              class: 'action-form',
              onsubmit: (e) => {
                e.preventDefault();
                loadContract(view, flow);
              },
            },
            h(
              'fieldset',
              { class: 'choices' },
              h('legend', { class: 'field-label', text: t('actions.kindergarten') }),
              flow.choices.map((c) =>
                h(
                  'label',
                  { class: 'choice' },
                  h('input', { type: 'radio', name, value: c.key, checked: c.key === flow.picked, onchange: () => (flow.picked = c.key) }),
                  h(
                    'span',
                    { class: 'choice__text' },
                    h('span', { class: 'choice__name', text: c.name }),
                    h('span', { class: 'choice__meta muted small', text: [t(`language.${c.language}`), c.free != null ? t('actions.freeCount', { n: c.free }) : null, c.address].filter(Boolean).join(' · ') }),
                  ),
                ),
              ),
            ),
            h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'show-contract', text: t('c.choose.contract') }),
          ),
        );
      }
    } else if (flow.step === 'contract') {
      const choice = flow.choices.find((c) => c.key === flow.picked);
      box.append(
        h('h4', { text: t('c.contract.heading') }),
        h('p', { class: 'small', text: t('c.contract.for', { kindergarten: choice?.name ?? '', language: t(`language.${choice?.language}`) }) }),
        h('div', { class: 'contract', tabindex: '0', role: 'document', 'aria-label': t('c.contract.heading'), 'data-testid': 'contract', text: flow.contract.text }),
        h('p', { class: 'muted small hash', text: t('c.contract.hash', { sha256: flow.contract.sha256 }) }),
      );
      previewLines(box, flow);
      const agreeId = `agree-${domId(view.id)}`;
      const sign = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'sign', disabled: !flow.agreed || Boolean(flow.previewError) || s.busy, text: t('c.contract.sign'), onclick: () => send(view, flow) });
      box.append(
        h(
          'div',
          { class: 'agree' },
          h('input', {
            id: agreeId,
            type: 'checkbox',
            checked: flow.agreed,
            'data-testid': 'agree',
            onchange: (e) => {
              flow.agreed = e.target.checked;
              sign.disabled = !flow.agreed || Boolean(flow.previewError) || s.busy;
            },
          }),
          h('label', { for: agreeId, text: t('c.contract.agree') }),
        ),
        sign,
      );
    } else {
      box.append(h('h4', { text: t('preview.heading') }));
      previewLines(box, flow);
      const ends = rules.actionInfo(flow.action).ends;
      if (ends) box.append(h('p', { class: 'notice notice--warn', text: t('c.act.final') }));
      box.append(
        h('button', {
          type: 'button',
          class: `button ${ends ? 'button--danger' : 'button--primary'}`,
          'data-testid': 'send',
          disabled: Boolean(flow.previewError) || s.busy,
          text: t('c.act.send'),
          onclick: () => send(view, flow),
        }),
      );
    }
    if (flow.error) box.append(h('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'flow-error', text: flow.error }));
    box.append(cancel);
    return box;
  }

  function previewLines(box, flow) {
    flow.previewError = flow.error && !flow.result ? flow.error : null;
    if (!flow.result) return;
    box.append(
      h('p', { class: 'small', text: t('c.act.previewNote') }),
      h('p', {}, `${t('preview.status')}: `, h('strong', { 'data-testid': 'preview-status', 'data-status': flow.result.application.status, text: t(`status.${flow.result.application.status}`) })),
      h('ol', { class: 'events' }, flow.result.events.map((e) => h('li', { text: eventText(e, flow) }))),
    );
  }

  function actions(view) {
    const allowed = allowedOf(view);
    const box = h('div', { class: 'actions' }, h('h4', { text: t('actions.heading') }));
    const flow = flows.get(view.id);
    if (flow) {
      box.append(flowBox(view, flow));
      return box;
    }
    if (!allowed.length) {
      box.append(h('p', { class: 'muted', text: t(view.status === 'direction_issued' ? 'c.act.waitKindergarten' : 'c.act.none') }));
      return box;
    }
    const row = h('div', { class: 'action-buttons' });
    for (const a of allowed) {
      const label = t(`c.action.${a.action}`);
      if (a.action === 'extendChoice') {
        const inputId = `days-${domId(view.id)}`;
        const { min, max, suggested } = extendDays(rules);
        const days = h('input', { id: inputId, type: 'number', min, max, value: suggested, inputmode: 'numeric' });
        box.append(
          h(
            'form',
            {
              class: 'action-form action-form--inline',
              onsubmit: (e) => {
                e.preventDefault();
                start(view, 'extendChoice', { days: Number(days.value) });
              },
            },
            h('label', { class: 'field-label', for: inputId, text: t('actions.days', { min, max }) }),
            days,
            h('button', { type: 'submit', class: 'button button--secondary', 'data-action': a.action, text: label }),
          ),
        );
        continue;
      }
      row.append(
        h('button', {
          type: 'button',
          class: `button ${rules.actionInfo(a.action).ends ? 'button--danger' : 'button--primary'}`,
          'data-action': a.action,
          text: label,
          onclick: () => start(view, a.action),
        }),
      );
    }
    box.append(row, h('p', { class: 'muted small', text: t('c.act.howItWorks') }));
    return box;
  }

  function card(view) {
    const { text: positionText, position, info } = positionFacts(view);
    const year = rules.applicationInfo(rulesApplication(view)).groupYear;
    const c = h('article', { class: 'app-card', 'data-application-card': view.id, 'aria-labelledby': `title-${domId(view.id)}` });
    c.append(
      h(
        'header',
        { class: 'app-card__header' },
        h('h3', { id: `title-${domId(view.id)}`, tabindex: '-1' }, h('span', { class: 'muted small', text: t('field.number') }), h('span', { class: 'app-card__number', text: view.id })),
        h('div', { class: 'badges' }, h('span', { class: `badge badge--${view.status}`, 'data-testid': 'status', 'data-status': view.status, text: t(`status.${view.status}`) })),
      ),
    );
    const district = ctx.districts.find((d) => d.code === view.district);
    const facts = h(
      'dl',
      { class: 'facts' },
      fact(t('field.child'), view.child.name),
      fact(t('field.birthDate'), fmtDate(view.child.birthDate)),
      fact(t('field.district'), named(district?.name, ctx.lang(), view.district)),
      fact(t('field.queue'), t('field.queueValue', { type: t(`queueType.${view.queueType}`), year })),
      fact(t('field.registeredAt'), fmtInstant(view.registeredAt)),
      fact(t('field.status'), t(`status.${view.status}`)),
      fact(t('field.position'), positionText, { 'data-testid': 'position', 'data-position': position ?? '' }),
    );
    if (view.archiveReason) facts.append(fact(t('field.archiveReason'), t(`archive.${view.archiveReason}`)));
    if (view.direction) {
      facts.append(
        fact(t('field.direction'), t('field.directionValue', { number: view.direction.number, kindergarten: view.kindergarten ? named(view.kindergarten.name, ctx.lang()) : view.direction.kindergarten, language: t(`language.${view.direction.language}`) }), {
          'data-testid': 'direction',
        }),
      );
    }
    c.append(facts);
    const explain = explanation(view, info, position);
    if (explain) c.append(explain);
    const deadlines = deadlinesOf(view);
    if (deadlines.length) {
      c.append(h('div', { class: 'deadlines' }, h('h4', { text: t('deadline.heading') }), deadlines.map(([action, at]) => deadlineBlock(action, at))));
    }
    c.append(actions(view));
    return c;
  }

  function fact(label, value, attrs = {}) {
    return h('div', { class: 'facts__row' }, h('dt', { text: label }), h('dd', attrs, value));
  }

  function render() {
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'c-apps-heading', 'data-testid': 'applications' });
    panel.append(
      h(
        'div',
        { class: 'panel__head' },
        h('h2', { id: 'c-apps-heading', text: t('c.apps.heading') }),
        h('button', {
          type: 'button',
          class: 'button button--secondary',
          'data-testid': 'refresh',
          disabled: s.busy,
          text: t('c.apps.refresh'),
          onclick: () =>
            page.run(async () => {
              await page.refresh();
              queues.clear();
              load();
              page.announce(t('c.apps.refreshed'));
            }),
        }),
      ),
    );
    const list = s.me.applications ?? [];
    if (!list.length) {
      panel.append(h('p', { class: 'muted', text: t((s.me.children ?? []).length ? 'c.apps.none' : 'c.apps.noChildren') }));
    }
    for (const view of list) {
      if (!queues.has(view.district)) loadQueue(view.district);
      panel.append(card(view));
    }
    const error = page.failure(s.error);
    if (error) panel.append(error);
    return panel;
  }

  return { render, load };
}
