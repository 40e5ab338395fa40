// The child's IIN: the rules' check as typed, and the demo's children to pick.

import { fmtDate } from '../connected/util.js';
import { renderResults } from './card.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';

export function iinCheck() {
  const iin = state.iin;
  if (!state.rules || iin === '') return { kind: 'empty' };
  if (/^\d{1,11}$/.test(iin)) return { kind: 'partial', typed: iin.length };
  const result = state.rules.validateIin(iin, state.lang);
  return result.valid ? { kind: 'valid', ...result } : { kind: 'invalid', error: result.error };
}

export function renderIin() {
  const box = document.getElementById('iin-status');
  const input = document.getElementById('iin');
  const check = iinCheck();
  box.replaceChildren();
  box.className = 'iin-status';
  input.removeAttribute('aria-invalid');
  if (check.kind === 'empty') {
    box.append(h('p', { class: 'muted', text: t('iin.hint') }));
  } else if (check.kind === 'partial') {
    box.append(h('p', { class: 'muted', text: t('iin.more', { typed: check.typed }) }));
  } else if (check.kind === 'valid') {
    box.classList.add('iin-status--valid');
    box.append(
      h('p', { class: 'iin-status__title' }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '✓' }), t('iin.valid')),
      h(
        'dl',
        { class: 'facts facts--inline' },
        h('div', {}, h('dt', { text: t('iin.birthDate') }), h('dd', { 'data-testid': 'iin-birth-date', text: fmtDate(check.birthDate) })),
        h('div', {}, h('dt', { text: t('iin.sex') }), h('dd', { 'data-testid': 'iin-sex', text: t(`sex.${check.sex}`) })),
      ),
    );
  } else {
    input.setAttribute('aria-invalid', 'true');
    box.classList.add('iin-status--invalid');
    box.append(
      h('p', { class: 'iin-status__title' }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '✕' }), t('iin.invalid')),
      h('p', { 'data-testid': 'iin-error', 'data-code': check.error.code, text: check.error.message || t(`iin.error.${check.error.code}`) }),
    );
  }
  const demo = document.getElementById('demo-children');
  const wasOpen = demo.querySelector('details')?.open ?? false;
  demo.replaceChildren();
  demo.hidden = state.demoChildren.length === 0;
  if (state.demoChildren.length) {
    const details = h('details', { open: wasOpen }, h('summary', { text: `${t('iin.demoHint')} ${state.demoChildren.length}` }));
    demo.append(details);
    details.append(
      h('div', { class: 'chips' }, ...state.demoChildren.map((c) =>
        h('button', {
          type: 'button',
          class: 'chip',
          'data-iin': c.iin,
          text: `${c.iin} · ${t(`status.${c.status}`)}`,
          onclick: () => {
            input.value = c.iin;
            state.iin = c.iin;
            renderIin();
            renderResults();
            input.focus();
          },
        }),
      )),
    );
  }
}
