// An application's deadlines: the days left, and the one passed since the snapshot (all asked of the rules).

import { astana, fmtDate } from '../connected/util.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';

export function deadlineBlock(action, deadline, application) {
  const now = state.asOf;
  const today = astana(now).date;
  const day = astana(deadline).date;
  // The rules' one definition of days left (the kiosk card shows the same), for the
  // deadline the action is due by: 0 once it has passed; calendar days (restore) or
  // working days (confirm, choose), today included while it is not over.
  const { dueBy, starts } = state.rules.actionInfo(action);
  const left = state.rules.daysLeft(dueBy, deadline, now);
  const lines = [];
  if (left.days === 0) {
    lines.push(h('p', { class: 'deadline__left deadline__left--passed', text: t('deadline.passed') }));
  } else if (left.unit === 'calendar') {
    lines.push(h('p', { class: 'deadline__left', 'data-testid': 'days-left', text: left.days === 1 ? t('deadline.lastDay') : t('deadline.calendarLeft', { n: left.days }) }));
  } else {
    const todayWorks = state.rules.isWorkingDay(today);
    let text;
    if (today === day) text = t('deadline.lastDay');
    else if (todayWorks) text = t('deadline.workingLeft', { n: left.days, after: left.days - 1 });
    else text = t('deadline.workingLeftNotToday', { n: left.days });
    lines.push(h('p', { class: 'deadline__left', 'data-testid': 'days-left', 'data-working-days': left.days, text }));
  }
  if (action === 'confirmVoucher' && left.days > 0) {
    // The deadline confirming starts (choose), were the parent to confirm now.
    const next = state.rules.deadline(starts, now).at;
    lines.push(h('p', { class: 'muted small', text: t('deadline.ifConfirmToday', { date: fmtDate(astana(next).date) }) }));
  }
  return h(
    'div',
    { class: 'deadline', 'data-action': action, 'data-deadline': deadline, 'data-application': application.id },
    h('p', { class: 'deadline__label', text: t(`deadline.${action}`) }),
    h('p', { class: 'deadline__date', text: t('deadline.at', { date: fmtDate(day) }) }),
    ...lines,
  );
}

/** The allowed actions' deadlines as `action → instant`, one per deadline (choosing and
 * extending share the choose deadline: the first allowed, choosing, names it). */
export function actionDeadlines(allowed) {
  const deadlines = new Map();
  const kinds = new Set();
  for (const a of allowed) {
    const kind = a.deadline && state.rules.actionInfo(a.action).dueBy;
    if (!kind || kinds.has(kind)) continue;
    kinds.add(kind);
    deadlines.set(a.action, a.deadline);
  }
  return deadlines;
}

/** The deadline the application waits on (`pendingDeadline`) and, when it has passed by the
 * page's time, its instant (`daysLeft` is 0 once a deadline is over): both the rules'. */
export function pendingDeadline(application) {
  const deadline = state.rules.pendingDeadline(application);
  const passed = deadline && state.rules.daysLeft(deadline.kind, deadline.at, state.asOf).days === 0 ? deadline.at : null;
  return { deadline, passed };
}
