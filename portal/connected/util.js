// Formatting shared by the connected pages (Astana time, UTC+05:00, as in app.js).

const OFFSET_MS = 5 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

export function astana(instant) {
  const d = new Date((typeof instant === 'number' ? instant : Date.parse(instant)) + OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** Now as the rules take it: `YYYY-MM-DDTHH:MM:SS+05:00`. */
export function nowInstant() {
  const { date, time } = astana(Date.now());
  return `${date}T${time}+05:00`;
}

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

/** The rules' application of a view: the view less what the center adds (position, deadlines, allowedActions). */
export function rulesApplication(view) {
  const { position, deadlines, allowedActions, ...application } = view;
  return application;
}

/** An id usable in DOM ids. */
export const domId = (text) => String(text).replace(/[^\w-]/g, '_');
