// The parents' API of the center (docs/PARENTS.md), same origin. Every request that changes
// something carries the session's CSRF token; errors come back as ApiError with the server's
// code and its message in the page's language (Accept-Language).

/** Sent by the center with every portal file (center/src/portal_files.rs). */
const MODE_HEADER = 'x-kezek-portal';

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const session = { csrf: null, lang: 'ru' };

export function setCsrf(token) {
  session.csrf = token ?? null;
}

export function setLang(lang) {
  session.lang = lang;
}

/** One JSON request; resolves to the parsed body, rejects with ApiError. */
export async function api(method, url, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': session.lang };
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e.message);
  }
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const retry = Number(response.headers.get('retry-after'));
    throw new ApiError(response.status, data?.error?.code ?? `HTTP_${response.status}`, data?.error?.message ?? response.statusText, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return data;
}

/** The public queue of a district: the center's signed document, of which the page reads the JSON. */
export async function publicQueue(district) {
  const response = await fetch(`/v1/public/districts/${encodeURIComponent(district)}/queue`, { cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const magic = [0x4b, 0x5a, 0x4b, 0x44]; // "KZKD" | u32 LE length | JSON | 64-byte signature
  let text = bytes;
  if (bytes.length >= 8 && magic.every((b, i) => bytes[i] === b)) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    text = bytes.subarray(8, 8 + len);
  }
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
}

/**
 * Connected mode: the page was sent by the center (MODE_HEADER) and the center answers the
 * parents' API. Resolves to `{ me }` (signed in), `{ me: null }` (signed out), or `null`
 * (demo mode: portal/serve.mjs, or a center without the parents' API). Asks the API only
 * when the header says the center is there, so demo mode makes no failing request.
 */
export async function detectConnected() {
  try {
    const page = await fetch(location.pathname, { method: 'HEAD', cache: 'no-store' });
    if (page.headers.get(MODE_HEADER) !== 'connected') return null;
  } catch {
    return null;
  }
  try {
    const me = await api('GET', '/v1/parent/me');
    setCsrf(me.csrf);
    return { me };
  } catch (e) {
    if (e.status === 401 && e.code === 'UNAUTHENTICATED') return { me: null };
    return null;
  }
}
