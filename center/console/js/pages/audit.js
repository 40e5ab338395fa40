// The audit trail.

import { api } from '../api.js';
import { fill, h, table } from '../dom.js';
import { page, render } from '../frame.js';
import { districtName, label, stamp, t } from '../i18n.js';
import { state } from '../state.js';

const AUDIT_LIMITS = [50, 200, 1000];

export async function renderAudit(_args, alive) {
  const limit = h(
    'select',
    {
      id: 'audit-limit',
      onchange: (e) => {
        state.auditLimit = Number(e.target.value);
        render();
      },
    },
    AUDIT_LIMITS.map((n) => h('option', { value: n, selected: n === state.auditLimit }, n)),
  );
  const { body } = page(t('audit.heading'), {
    tools: [h('div', { class: 'picker' }, h('label', { for: 'audit-limit' }, t('audit.limit')), limit)],
    lead: t('audit.lead'),
  });
  const rows = await api('GET', `/audit?limit=${state.auditLimit}`);
  if (!alive()) return;
  fill(body,
    rows.length
      ? h(
          'section',
          { class: 'card' },
          table(
            [t('audit.seq'), t('audit.at'), t('audit.by'), t('audit.action'), t('audit.subject'), t('audit.note')],
            rows.map((r) =>
              h(
                'tr',
                { 'data-action': r.action },
                h('td', { class: 'num' }, r.seq),
                h('td', {}, stamp(r.at)),
                h('td', { class: 'mono' }, r.by),
                h('td', {}, label('action', r.action)),
                h('td', { class: 'mono' }, r.subject || t('common.none')),
                h('td', { class: 'wrap' }, auditNote(r)),
              ),
            ),
            { 'data-testid': 'audit' },
          ),
        )
      : h('p', { class: 'empty' }, t('audit.empty')),
  );
}

/** A district as "name (CODE)" in the page's language, or its code. */
function districtLabel(code) {
  const name = districtName(code);
  return name === code ? code : `${name} (${code})`;
}

/**
 * An audit entry's note in the page's language (text, or text and elements). The center writes each note into its signed
 * log once, in a fixed form for its action ("2 accepted, 0 duplicates", "distributor ZER",
 * "KOK 3b6a-…"): those forms are shown here in words of the page's language. Anything else
 * (a reviewer's comment, in the reviewer's own words) is shown as written.
 */
function auditNote(row) {
  const note = row.note ?? '';
  let m;
  switch (row.action) {
    case 'ingest.file':
      if ((m = /^(\d+) accepted, (\d+) duplicates$/.exec(note))) return t('audit.note.ingest', { accepted: m[1], duplicates: m[2] });
      break;
    case 'quarantine.reexamine':
      if ((m = /^(\d+) accepted$/.exec(note))) return t('audit.note.accepted', { accepted: m[1] });
      break;
    case 'user.add':
      if ((m = /^(admin|reviewer|distributor|viewer)(?: (\S+))?$/.exec(note))) {
        const role = label('role', m[1]);
        return m[2] ? t('audit.note.user', { role, districts: m[2].split(',').map(districtLabel).join(', ') }) : role;
      }
      break;
    case 'kiosk.add':
      if (note === "the parents' channel") return t('audit.note.parentsChannel');
      if ((m = /^(\S+) (\S+)$/.exec(note))) {
        // The fingerprint kept on one line, to compare with the kiosk's screen.
        const [before, after] = t('audit.note.kiosk', { district: districtLabel(m[1]), fingerprint: '\u0000' }).split('\u0000');
        return [before, h('span', { class: 'nowrap' }, m[2]), after];
      }
      break;
    case 'kiosk.serve':
      if (/^\S+$/.test(note)) return t('audit.note.district', { district: districtLabel(note) });
      break;
    case 'population.import':
      if (/^\d+$/.test(note)) return t('audit.note.pairs', { n: note });
      break;
    case 'population.trust':
      if (/^[0-9a-f]{64}$/.test(note)) return t('audit.note.key', { key: note });
      break;
    case 'publish.queue':
      try {
        const { version } = JSON.parse(note);
        if (Number.isInteger(version)) return t('audit.note.publication', { version });
      } catch {
        // Not the publication's record: shown as written.
      }
      break;
    default:
  }
  return note;
}
