// The demo page's state, shared by its modules (offline/).
export const state = {
  rules: null,
  lang: 'ru',
  dicts: {},
  districts: [],
  categories: [],
  iin: '',
  snapshots: [], // loaded in order; the last is current, the one before (same district) is previous
  asOf: null, // RFC 3339 instant at +05:00
  asOfSource: 'clock', // clock | demo | param | manual
  previews: new Map(), // application id → { application, events }
  errors: new Map(), // application id → message
  demoChildren: [],
  snapshotError: null,
  connected: null, // connected/main.js's page, when the center serves this page
};
