// Shared by the portal's pages, connected (connected/) and demo (offline/): Astana time,
// UTC+05:00, the rules' events as text, and the bounds of the extension form.

const OFFSET_MS = 5 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

export function astana(instant) {
  const d = new Date((typeof instant === 'number' ? instant : Date.parse(instant)) + OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** `YYYY-MM-DDTHH:MM:SS+05:00` for an instant in ms. */
export function astanaInstant(ms) {
  const { date, time } = astana(ms);
  return `${date}T${time}+05:00`;
}

/** Now as the rules take it: `YYYY-MM-DDTHH:MM:SS+05:00`. */
export function nowInstant() {
  return astanaInstant(Date.now());
}

/** `DD.MM.YYYY` as on the regional portal. */
export function fmtDate(date) {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

export function fmtInstant(instant) {
  const { date, time } = astana(instant);
  return `${fmtDate(date)} ${time.slice(0, 5)}`;
}

/** A name of `{ru, kk, en}` in the page's language. */
export function named(name, lang, fallback = '') {
  if (!name) return fallback;
  if (typeof name === 'string') return name;
  return name[lang] ?? name.ru ?? fallback;
}

/** The rules' application of a view: the view less what the center adds (position, deadlines, allowedActions, kindergarten). */
export function rulesApplication(view) {
  const { position, deadlines, allowedActions, kindergarten, ...application } = view;
  return application;
}

/** The days an extension of the choice period may take, from the rules, and the number the form suggests. */
export function extendDays(rules) {
  const { min, max } = rules.actionInfo('extendChoice').days;
  return { min, max, suggested: 10 };
}

/** An id usable in DOM ids. */
export const domId = (text) => String(text).replace(/[^\w-]/g, '_');

/** One of the rules' events as the parent reads it; `kindergarten(id)` names a direction's kindergarten. */
export function describeEvent(t, event, kindergarten) {
  switch (event.type) {
    case 'voucherIssued':
      return t('event.voucherIssued', { deadline: fmtInstant(event.confirmDeadline) });
    case 'voucherConfirmed':
    case 'voucherRestored':
    case 'choiceExtended':
      return t(`event.${event.type}`, { deadline: fmtInstant(event.chooseDeadline) });
    case 'stopListed':
      return t('event.stopListed', { deadline: fmtInstant(event.restoreDeadline) });
    case 'directionIssued':
      return t('event.directionIssued', { number: event.direction.number, kindergarten: kindergarten(event.direction.kindergarten) });
    case 'archived':
      return t('event.archived', { reason: t(`archive.${event.reason}`) });
    default:
      return t(`event.${event.type}`, { application: event.application });
  }
}
