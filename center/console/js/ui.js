// What every page shares: the errors as shown, busy buttons, the confirm dialog, notices.

import { ApiError } from './api.js';
import { fill, h } from './dom.js';
import { render } from './frame.js';
import { t } from './i18n.js';
import { state } from './state.js';

const LOCALIZED_BY_CENTER = new Set(['FORBIDDEN_ROLE', 'OUT_OF_DISTRICT', 'DISTRICTS_REQUIRED', 'OWN_ACCOUNT', 'LAST_ADMIN']);

/** An error as the staff reads it: the code's text, and (for the center's English details) its own words under it. */
export function errorBox(error) {
  const key = `error.${error.code}`;
  const known = key in state.dict;
  const main = known ? t(key) : error.serverMessage || t('error.UNKNOWN');
  // A wait the center gives (`Retry-After`) is said in the page's language instead of its English words.
  const seconds = error.retryAfter;
  const wait = !seconds ? '' : seconds < 120 ? t('error.retryInSeconds', { seconds }) : t('error.retryIn', { minutes: Math.ceil(seconds / 60) });
  const detail = !wait && known && !LOCALIZED_BY_CENTER.has(error.code) && error.serverMessage !== main ? error.serverMessage : '';
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-error-code': error.code },
    h('p', {}, main),
    wait ? h('p', { class: 'detail', 'data-testid': 'retry-after' }, wait) : null,
    detail ? h('p', { class: 'detail' }, t('error.detail', { message: detail })) : null,
  );
}

function showError(slot, error) {
  if (!(error instanceof ApiError)) throw error;
  // A session that ended has sent the page to sign-in already.
  if (error.handled) return;
  fill(slot, errorBox(error));
}

/** Runs `action` with `button` disabled meanwhile; its error goes to `slot`. */
export async function busy(button, slot, action) {
  clearNotice();
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  slot?.replaceChildren();
  try {
    return await action();
  } catch (error) {
    if (slot) showError(slot, error);
    else throw error;
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * A row's small red button: it asks `question()` (title, text, confirming label) first, then
 * runs `action` (its error to `slot`), then shows the text `action` returns and draws the page again.
 */
export function rowAction(attrs, text, slot, question, action) {
  const button = h('button', { type: 'button', class: 'small danger', ...attrs }, text);
  button.addEventListener('click', async () => {
    if (!(await confirmDialog(...question(), 'danger'))) return;
    await busy(button, slot, async () => {
      const done = await action();
      state.notice = { kind: 'ok', text: done };
      render();
    });
  });
  return button;
}

/** A modal question (native <dialog>: focus kept inside, Escape cancels). */
export function confirmDialog(title, text, confirmLabel, tone = 'primary') {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', class: tone, value: 'ok', 'data-testid': 'confirm-ok' }, confirmLabel);
    const cancel = h('button', { type: 'submit', class: 'secondary', value: 'cancel' }, t('common.cancel'));
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, title),
        h('p', {}, text),
        h('div', { class: 'buttons' }, cancel, ok),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

export function showNotice() {
  const slot = document.getElementById('notice');
  slot.replaceChildren();
  slot.className = 'notice';
  if (!state.notice) return;
  slot.classList.add(state.notice.kind, 'shown');
  slot.append(state.notice.text);
  state.notice = null;
}

function clearNotice() {
  const slot = document.getElementById('notice');
  slot.replaceChildren();
  slot.className = 'notice';
}
