// What the center's rules do with the actions `apply` refuses as CENTER_ONLY (issueVoucher,
// upholdRefusal, overruleRefusal): the fold of the one event each causes
// (rules::lifecycle::evolve), so that tests can reach the later statuses through the JS API.
// Test support only; the package itself never issues a voucher.
export const CENTER_ACTIONS = new Set(['issueVoucher', 'upholdRefusal', 'overruleRefusal']);

/** The application after the center ran `action` at `now` (no checks: tests call it where the rules allow it). */
export function atCenter(kezek, application, action, now) {
  const app = structuredClone(application);
  switch (action.type) {
    case 'issueVoucher': {
      const voucher = { issuedAt: now, confirmDeadline: kezek.deadline('confirm', now).at, extended: false, restored: false };
      // Keep the key order of the rules' JSON: `voucher` comes right after `status`/`warnings`.
      const out = {};
      for (const [key, value] of Object.entries(app)) {
        if (key === 'voucher') continue;
        if ((key === 'direction' || key === 'directionsIssued') && !('voucher' in out)) out.voucher = voucher;
        out[key] = value;
      }
      out.status = 'voucher_issued';
      return out;
    }
    case 'upholdRefusal':
      app.status = 'queued';
      delete app.voucher;
      delete app.direction;
      return app;
    case 'overruleRefusal':
      app.status = 'direction_issued';
      app.direction.mustEnroll = true;
      return app;
    default:
      throw new Error(`atCenter: ${action.type} is not a center action`);
  }
}
