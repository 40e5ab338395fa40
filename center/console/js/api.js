// The staff API (/v1/staff/…): requests with the session cookie and the CSRF token.

import { go } from './frame.js';
import { t } from './i18n.js';
import { state } from './state.js';

const API = '/v1/staff';

export class ApiError extends Error {
  constructor(status, code, serverMessage) {
    super(`${status} ${code}: ${serverMessage}`);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

/** One request to the staff API with the session cookie (and, for changes, the CSRF token). */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': state.lang };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && state.me?.csrf) headers['X-CSRF-Token'] = state.me.csrf;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e.message);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data?.error?.code ?? 'UNKNOWN', data?.error?.message ?? '');
    // Seconds to wait (429 at sign-in, 503 when busy), as the center says in `Retry-After`.
    const wait = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    if (Number.isInteger(wait) && wait > 0) error.retryAfter = wait;
    if (response.status === 401 && path !== '/session' && state.me) {
      sessionEnded();
      error.handled = true;
    }
    throw error;
  }
  return data;
}

/** The session is gone (expired, ended elsewhere, account disabled): back to sign-in. */
function sessionEnded() {
  forget();
  state.notice = { kind: 'error', text: t('signIn.expired') };
  go('sign-in');
}

export function forget() {
  state.me = null;
  state.plans.clear();
  state.rounds.clear();
  state.checkedKey = null;
}
