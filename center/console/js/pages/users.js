// Staff accounts: the list, disabling, and adding one.

import { api } from '../api.js';
import { badge, fill, h, table } from '../dom.js';
import { page, render } from '../frame.js';
import { districtName, label, stamp, t } from '../i18n.js';
import { state } from '../state.js';
import { busy, rowAction } from '../ui.js';

const ROLES = ['admin', 'reviewer', 'distributor', 'viewer'];

export async function renderUsers(_args, alive) {
  const { body } = page(t('users.heading'), { lead: t('users.lead') });
  const users = await api('GET', '/users');
  if (!alive()) return;
  const slot = h('div', { class: 'slot' });
  const list = table(
    [t('users.login'), t('users.name'), t('users.role'), t('users.districts'), t('users.created'), t('users.state'), t('users.actions')],
    users.map((u) => {
      const disable = u.disabled
        ? null
        : rowAction(
            { 'data-disable': u.login, 'aria-label': t('users.disable', { login: u.login }) },
            t('users.disableButton'),
            slot,
            () => [t('users.disableTitle', { login: u.login }), t('users.disableText'), t('users.disable', { login: u.login })],
            async () => {
              await api('POST', `/users/${encodeURIComponent(u.login)}/disable`);
              return t('users.disabledDone', { login: u.login });
            },
          );
      return h(
        'tr',
        { 'data-user': u.login, class: u.disabled ? 'muted-row' : null },
        h('td', { class: 'mono' }, u.login),
        h('td', {}, u.name),
        h('td', {}, label('role', u.role)),
        h('td', { class: 'wrap' }, u.districts.length ? u.districts.join(', ') : t('users.allDistricts')),
        h('td', {}, stamp(u.createdAt)),
        h('td', {}, u.disabled ? badge(t('users.disabled'), 'grey') : badge(t('users.active'), 'green')),
        h('td', {}, disable),
      );
    }),
    { 'data-testid': 'users' },
  );
  fill(body, h('section', { class: 'card' }, list, slot), userForm());
}

function userForm() {
  const slot = h('div', { class: 'slot' });
  const login = h('input', { id: 'user-login', required: true, autocomplete: 'off', spellcheck: 'false' });
  const name = h('input', { id: 'user-name', required: true, autocomplete: 'off' });
  const role = h('select', { id: 'user-role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'viewer' }, label('role', r))));
  const password = h('input', { id: 'user-password', type: 'password', required: true, autocomplete: 'new-password' });
  const boxes = (state.me?.districts ?? []).map((d) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'district', value: d }), `${districtName(d)}`),
  );
  const submit = h('button', { type: 'submit', class: 'primary', id: 'add-user' }, t('users.addSubmit'));
  return h(
    'form',
    {
      class: 'card form',
      'data-testid': 'add-user-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const districts = [...e.currentTarget.querySelectorAll('input[name="district"]:checked')].map((b) => b.value);
        await busy(submit, slot, async () => {
          const added = await api('POST', '/users', { login: login.value.trim(), name: name.value.trim(), role: role.value, districts, password: password.value });
          state.notice = { kind: 'ok', text: t('users.added', { login: added.login }) };
          render();
        });
      },
    },
    h('h2', {}, t('users.add')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'user-login' }, t('users.login')), login),
      h('div', { class: 'field' }, h('label', { for: 'user-name' }, t('users.name')), name),
      h('div', { class: 'field' }, h('label', { for: 'user-role' }, t('users.role')), role),
      h('div', { class: 'field' }, h('label', { for: 'user-password' }, t('users.password')), password),
    ),
    h('fieldset', { class: 'districts', 'aria-describedby': 'districts-hint' }, h('legend', {}, t('users.districts')), h('div', { class: 'boxes' }, boxes)),
    h('p', { class: 'hint', id: 'districts-hint' }, t('users.districtsHint')),
    slot,
    h('div', { class: 'buttons' }, submit),
  );
}
