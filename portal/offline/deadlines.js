// An application's deadlines: the days left, and the one passed since the snapshot (all asked of the rules).

import { astana, fmtDate } from '../connected/util.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';

export function deadlineBlock(action, deadline, application) {
  const now = state.asOf;
  const today = astana(now).date;
  const day = astana(deadline).date;
  const lines = [];
  if (Date.parse(now) > Date.parse(deadline)) {
    lines.push(h('p', { class: 'deadline__left deadline__left--passed', text: t('deadline.passed') }));
  } else if (action === 'restoreVoucher') {
    // The rules' one definition of days left (the kiosk card shows the same): the restore
    // period counts calendar days, today included.
    const left = state.rules.daysLeft('restore', deadline, now).days;
    lines.push(h('p', { class: 'deadline__left', 'data-testid': 'days-left', text: left === 1 ? t('deadline.lastDay') : t('deadline.calendarLeft', { n: left }) }));
  } else {
    // Working days from today (while it is not over) to the deadline's day.
    const left = state.rules.daysLeft(action === 'confirmVoucher' ? 'confirm' : 'choose', deadline, now).days;
    const todayWorks = state.rules.isWorkingDay(today);
    let text;
    if (today === day) text = t('deadline.lastDay');
    else if (todayWorks) text = t('deadline.workingLeft', { n: left, after: left - 1 });
    else text = t('deadline.workingLeftNotToday', { n: left });
    lines.push(h('p', { class: 'deadline__left', 'data-testid': 'days-left', 'data-working-days': left, text }));
  }
  if (action === 'confirmVoucher' && Date.parse(now) <= Date.parse(deadline)) {
    const choose = state.rules.deadline('choose', now).at;
    lines.push(h('p', { class: 'muted small', text: t('deadline.ifConfirmToday', { date: fmtDate(astana(choose).date) }) }));
  }
  return h(
    'div',
    { class: 'deadline', 'data-action': action, 'data-deadline': deadline, 'data-application': application.id },
    h('p', { class: 'deadline__label', text: t(`deadline.${action}`) }),
    h('p', { class: 'deadline__date', text: t('deadline.at', { date: fmtDate(day) }) }),
    ...lines,
  );
}

export const RULE_NOTES = { voucher_issued: 'rules.confirm', voucher_confirmed: 'rules.choose', stop_listed: 'rules.restore' };

/** The deadline the application waits on, when it has passed by the page's time (both asked
 * of the rules: `pendingDeadline`, then `daysLeft`, which is 0 once a deadline is over). */
export function passedDeadline(application) {
  const pending = state.rules.pendingDeadline(application);
  if (!pending) return null;
  return state.rules.daysLeft(pending.kind, pending.at, state.asOf).days === 0 ? pending.at : null;
}
