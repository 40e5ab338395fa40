// The parent's actions on an application, and their preview (the rules' apply) on this page only.

import { extendDays } from '../connected/util.js';
import { renderResults } from './card.js';
import { h } from './dom.js';
import { kgName, t } from './i18n.js';
import { currentSnapshot } from './snapshots.js';
import { state } from './state.js';

export function actionControls(application, allowed, freePlaces) {
  // Which actions are the parent's (online or at the office) is the rules' answer.
  const byParent = (a) => state.rules.actionInfo(a.action).parent;
  const parent = allowed.filter(byParent);
  const others = allowed.filter((a) => !byParent(a));
  const box = h('div', { class: 'actions' }, h('h4', { text: t('actions.heading') }));
  if (!allowed.length) box.append(h('p', { class: 'muted', text: t('actions.none') }));
  const byRole = new Map();
  for (const a of others) byRole.set(a.role, [...(byRole.get(a.role) ?? []), a.label]);
  for (const [role, labels] of byRole) {
    box.append(h('p', { class: 'muted small', text: t('actions.waiting', { role: t(`role.${role}`), labels: labels.join(' · ') }) }));
  }
  if (!parent.length) return box;
  box.append(h('p', { class: 'muted small', text: t('actions.previewNote') }));
  const run = (action) => preview(application, action, freePlaces);
  const tag = h('span', { class: 'tag', text: t('actions.previewTag') });
  for (const a of parent) {
    const id = `${application.id}-${a.action}`.replace(/[^\w-]/g, '_');
    if (a.action === 'chooseKindergarten') {
      // The places the rules accept for this child: those `apply` would take with the same facts.
      const kindergartens = currentSnapshot().kindergartens ?? [];
      const options = state.rules
        .kindergartenChoices(application, { kindergartens, freePlaces })
        .map((p) => ({ p, kg: kindergartens.find((k) => k.id === p.kindergarten) }));
      if (!options.length) {
        box.append(h('p', { class: 'notice notice--warn', text: t('actions.noFreePlaces', { year: state.rules.applicationInfo(application).groupYear }) }));
        continue;
      }
      const name = `${id}-choice`;
      const choices = options.map(({ p, kg }, i) =>
        h(
          'label',
          { class: 'choice' },
          h('input', { type: 'radio', name, value: `${p.kindergarten}|${p.language}`, checked: i === 0 }),
          h(
            'span',
            { class: 'choice__text' },
            h('span', { class: 'choice__name', text: kgName(kg) }),
            h('span', { class: 'choice__meta muted small', text: `${t(`language.${p.language}`)} · ${t('actions.freeCount', { n: p.free })}` }),
          ),
        ),
      );
      box.append(
        h(
          'form',
          {
            class: 'action-form',
            'data-action': a.action,
            onsubmit: (e) => {
              e.preventDefault();
              const picked = e.currentTarget.querySelector('input[type="radio"]:checked');
              if (!picked) return;
              const [kindergarten, language] = picked.value.split('|');
              run({ type: 'chooseKindergarten', kindergarten, language });
            },
          },
          h('fieldset', { class: 'choices' }, h('legend', { class: 'field-label', text: t('actions.kindergarten') }), choices),
          h('button', { type: 'submit', class: 'button button--primary', 'data-action': a.action }, a.label, ' ', tag.cloneNode(true)),
        ),
      );
    } else if (a.action === 'extendChoice') {
      const { min, max, suggested } = extendDays(state.rules);
      const days = h('input', { id: `${id}-days`, type: 'number', min, max, value: suggested, inputmode: 'numeric', required: true });
      box.append(
        h(
          'form',
          {
            class: 'action-form action-form--inline',
            'data-action': a.action,
            onsubmit: (e) => {
              e.preventDefault();
              run({ type: 'extendChoice', days: Number(days.value) });
            },
          },
          h('label', { class: 'field-label', for: `${id}-days`, text: t('actions.days', { min, max }) }),
          days,
          h('button', { type: 'submit', class: 'button button--secondary', 'data-action': a.action }, a.label, ' ', tag.cloneNode(true)),
        ),
      );
    } else {
      // An action that ends the application (the rules' answer) is drawn as dangerous.
      const danger = state.rules.actionInfo(a.action).ends;
      let row = box.lastElementChild;
      if (!row?.classList.contains('action-buttons')) {
        row = h('div', { class: 'action-buttons' });
        box.append(row);
      }
      row.append(
        h(
          'button',
          { type: 'button', class: `button ${danger ? 'button--danger' : 'button--primary'}`, 'data-action': a.action, onclick: () => run({ type: a.action }) },
          a.label,
          ' ',
          tag.cloneNode(true),
        ),
      );
    }
  }
  return box;
}

function preview(application, action, freePlaces) {
  try {
    // The directory too, so that the rules check a choice as the center does.
    const kindergartens = currentSnapshot()?.kindergartens ?? [];
    const result = state.rules.apply(application, action, state.asOf, { lang: state.lang, freePlaces, kindergartens });
    state.previews.set(application.id, result);
    state.errors.delete(application.id);
  } catch (e) {
    state.errors.set(application.id, `${e.message}${e.code ? ` (${e.code})` : ''}`);
  }
  renderResults();
  document.querySelector(`[data-application-card="${CSS.escape(application.id)}"] .preview, [data-application-card="${CSS.escape(application.id)}"] .notice--error`)?.focus();
}
