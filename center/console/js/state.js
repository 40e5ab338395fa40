// The console's state, shared by its modules.

export const state = {
  lang: 'ru',
  dict: {},
  /** GET /v1/staff/me: user, districts, districtNames, may, csrf. */
  me: null,
  /** A message for the next page shown: { kind: 'ok' | 'error', text }. */
  notice: null,
  /** District → the last dry run's plan (until the round is run). */
  plans: new Map(),
  /** District → the last round's result. */
  rounds: new Map(),
  /** The fingerprint shown for a key in the kiosk form: { key, fingerprint }. */
  checkedKey: null,
  showDecided: false,
  auditLimit: 200,
  /** Each render has a number; an answer arriving for an older render is dropped. */
  renderSeq: 0,
  lastRoute: '',
};
