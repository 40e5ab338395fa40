// Kiosks: the list, revoking, and adding one after checking its key's fingerprint.

import { api } from '../api.js';
import { badge, fill, h, table } from '../dom.js';
import { page, render } from '../frame.js';
import { districtName, stamp, t, tn } from '../i18n.js';
import { state } from '../state.js';
import { busy, rowAction } from '../ui.js';

export function kioskState(k) {
  if (k.revoked) return badge(t('kiosk.revoked'), 'grey');
  if (k.warning) return badge(`⚠ ${t('kiosk.warning')}`, 'red');
  return badge(t('kiosk.ok'), 'green');
}

export function offline(k) {
  return k.offlineDays === undefined || k.offlineDays === null ? t('kiosk.neverSeen') : tn('days', k.offlineDays);
}

export async function renderKiosks(_args, alive) {
  const { body } = page(t('kiosks.heading'), { lead: t('kiosks.lead') });
  const kiosks = await api('GET', '/kiosks');
  if (!alive()) return;
  const slot = h('div', { class: 'slot' });
  const list = kiosks.length
    ? table(
        [t('kiosk.id'), t('kiosks.served'), t('kiosks.fingerprint'), t('kiosks.registered'), t('kiosk.lastSeen'), t('kiosk.offline'), t('kiosk.state'), t('kiosks.actions')],
        kiosks.map((k) => {
          const revoke = k.revokedAt
            ? null
            : rowAction(
                { 'data-revoke': k.id, 'aria-label': t('kiosks.revoke', { id: k.id }) },
                t('kiosks.revokeButton'),
                slot,
                () => [t('kiosks.revokeTitle', { id: k.id }), t('kiosks.revokeText'), t('kiosks.revoke', { id: k.id })],
                async () => {
                  await api('POST', `/kiosks/${encodeURIComponent(k.id)}/revoke`);
                  return t('kiosks.revoked', { id: k.id });
                },
              );
          return h(
            'tr',
            { 'data-kiosk': k.id, class: k.warning ? 'warn' : null },
            h('td', { class: 'mono' }, k.id),
            h('td', {}, k.districts.join(', ')),
            h('td', { class: 'mono small' }, k.currentFingerprint),
            h('td', {}, stamp(k.registeredAt)),
            h('td', {}, k.lastSeen ? stamp(k.lastSeen) : t('kiosk.neverSeen')),
            h('td', {}, offline(k)),
            h('td', {}, kioskState({ ...k, revoked: Boolean(k.revokedAt) })),
            h('td', {}, revoke),
          );
        }),
        { 'data-testid': 'kiosks' },
      )
    : h('p', { class: 'muted' }, t('kiosks.empty'));
  fill(body, h('section', { class: 'card' }, list, slot), kioskForm());
}

function kioskForm() {
  const slot = h('div', { class: 'slot' });
  const id = h('input', { id: 'kiosk-id', required: true, autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const district = h(
    'select',
    { id: 'kiosk-district', required: true },
    (state.me?.districts ?? []).map((d) => h('option', { value: d }, `${districtName(d)} (${d})`)),
  );
  const key = h('input', { id: 'kiosk-key', required: true, autocomplete: 'off', spellcheck: 'false', class: 'mono wide' });
  const check = h('button', { type: 'button', id: 'check-key', class: 'secondary' }, t('kiosks.check'));
  const shown = h('div', { class: 'fingerprint', 'aria-live': 'polite' });
  const matches = h('input', { type: 'checkbox', id: 'key-matches', required: true });
  const submit = h('button', { type: 'submit', id: 'add-kiosk', class: 'primary', disabled: true }, t('kiosks.addSubmit'));
  const showChecked = () => {
    const checked = state.checkedKey && state.checkedKey.key === key.value.trim() ? state.checkedKey : null;
    shown.replaceChildren();
    matches.checked = false;
    submit.disabled = true;
    matchRow.hidden = !checked;
    if (!checked) return;
    shown.append(h('p', {}, t('kiosks.fingerprintIs')), h('p', { class: 'fp', 'data-testid': 'fingerprint' }, checked.fingerprint), h('p', { class: 'hint' }, t('kiosks.compare')));
  };
  const matchRow = h('div', { class: 'check', hidden: true }, matches, h('label', { for: 'key-matches' }, t('kiosks.matches')));
  key.addEventListener('input', showChecked);
  matches.addEventListener('change', () => {
    submit.disabled = !matches.checked;
  });
  check.addEventListener('click', () =>
    busy(check, slot, async () => {
      const value = key.value.trim();
      const answer = await api('GET', `/kiosks/fingerprint?publicKey=${encodeURIComponent(value)}`);
      state.checkedKey = { key: value, fingerprint: answer.fingerprint };
      showChecked();
    }),
  );
  const form = h(
    'form',
    {
      class: 'card form',
      'data-testid': 'add-kiosk-form',
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(submit, slot, async () => {
          const added = await api('POST', '/kiosks', { id: id.value.trim(), district: district.value, publicKey: key.value.trim() });
          state.checkedKey = null;
          state.notice = { kind: 'ok', text: t('kiosks.added', { id: added.id }) };
          render();
        });
      },
    },
    h('h2', {}, t('kiosks.add')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'kiosk-id' }, t('kiosks.addId')), id),
      h('div', { class: 'field' }, h('label', { for: 'kiosk-district' }, t('kiosks.district')), district),
    ),
    h('div', { class: 'field' }, h('label', { for: 'kiosk-key' }, t('kiosks.addKey')), h('div', { class: 'inline' }, key, check)),
    shown,
    matchRow,
    slot,
    h('div', { class: 'buttons' }, submit),
  );
  showChecked();
  return form;
}
