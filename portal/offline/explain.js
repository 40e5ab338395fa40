// Why a position moved (the rules' explainPosition), and a preview's events as text.

import { describeEvent, fmtInstant } from '../connected/util.js';
import { h } from './dom.js';
import { kgName, t } from './i18n.js';
import { currentSnapshot, entriesOf, previousSnapshot } from './snapshots.js';
import { state } from './state.js';

const MAX_MOVERS_SHOWN = 8;

/** A preview's event as text; a direction names its kindergarten from the snapshot's directory. */
export function eventText(event) {
  return describeEvent(t, event, (id) => {
    const kg = currentSnapshot()?.kindergartens?.find((k) => k.id === id);
    return kg ? kgName(kg) : id;
  });
}

/** Why the application's position moved; `place` is its place in its queue now (null when not in one). */
export function explanation(application, place, rankedEntries) {
  const current = currentSnapshot();
  const preview = state.previews.get(application.id);
  let before;
  let after;
  let since;
  if (preview) {
    before = entriesOf(current.applications);
    after = rankedEntries;
  } else {
    const previous = previousSnapshot();
    if (!previous) {
      return place ? h('p', { class: 'muted small', text: t('explain.noPrevious') }) : null;
    }
    before = entriesOf(previous.applications);
    after = entriesOf(current.applications);
    since = fmtInstant(previous.generatedAt);
  }
  const change = state.rules.explainPosition(before, after, application.id, state.lang);
  if (change.before == null && change.after == null) return null;
  const box = h('div', { class: 'explain', 'data-testid': 'explain' }, h('h4', { text: t('explain.heading') }));
  if (preview) {
    box.append(h('p', { text: t('explain.preview', { before: change.before ?? '—', after: change.after ?? '—' }) }));
  } else if (change.before == null) {
    box.append(h('p', { text: t('explain.newInQueue', { date: since, after: change.after }) }));
  } else if (change.after == null) {
    box.append(h('p', { text: t('explain.leftQueue', { date: since, before: change.before }) }));
  } else if (change.before === change.after && !change.enteredAhead.length && !change.leftAhead.length) {
    box.append(h('p', { text: t('explain.unchanged', { date: since, after: change.after }) }));
  } else {
    box.append(h('p', { class: 'explain__summary', text: t('explain.change', { date: since, before: change.before, after: change.after }) }));
  }
  const list = (title, movers) => {
    if (!movers.length) return null;
    const shown = movers.slice(0, MAX_MOVERS_SHOWN);
    const items = shown.map((m) => h('li', { text: t('explain.mover', { id: m.id, right: t(`right.${m.right}`), reason: m.reasonText }) }));
    if (movers.length > shown.length) items.push(h('li', { class: 'muted', text: `… +${movers.length - shown.length}` }));
    return h('div', {}, h('p', { class: 'explain__title', text: `${title} ${movers.length}` }), h('ul', {}, items));
  };
  // Who moved matters while the child is in the queue; after it left, the lists are noise.
  if (change.after != null) {
    box.append(list(t('explain.entered'), change.enteredAhead) ?? '', list(t('explain.left'), change.leftAhead) ?? '');
  }
  return box;
}
