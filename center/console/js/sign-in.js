// Sign-in and sign-out.

import { api, ApiError, forget } from './api.js';
import { h } from './dom.js';
import { firstPage, go } from './frame.js';
import { t } from './i18n.js';
import { state } from './state.js';
import { busy, errorBox } from './ui.js';

export function renderSignIn() {
  const slot = h('div', { class: 'slot' });
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, t('signIn.submit'));
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(submit, slot, async () => {
          await api('POST', '/session', { login: login.value.trim(), password: password.value });
          state.me = await api('GET', '/me');
          password.value = '';
          go(firstPage());
        });
      },
    },
    h('h1', { tabindex: '-1', id: 'page-title' }, t('signIn.heading')),
    h('p', { class: 'lead' }, t('signIn.lead')),
    h('div', { class: 'field' }, h('label', { for: 'login' }, t('signIn.login')), login),
    h('div', { class: 'field' }, h('label', { for: 'password' }, t('signIn.password')), password),
    slot,
    h('div', { class: 'buttons' }, submit),
  );
  document.getElementById('main').replaceChildren(h('div', { class: 'sign-in-wrap' }, form));
  login.focus();
}

export async function signOut() {
  const button = document.getElementById('sign-out');
  button.disabled = true;
  try {
    await api('DELETE', '/session');
  } catch (error) {
    // An ended session is signed out already; anything else is shown after the switch.
    if (!(error instanceof ApiError) || error.status !== 401) state.notice = { kind: 'error', text: errorBox(error).textContent };
  } finally {
    button.disabled = false;
  }
  forget();
  state.notice ??= { kind: 'ok', text: t('signIn.signedOut') };
  go('sign-in');
}
