// Charts: horizontal bars in inline SVG, with the same figures as a table beside them.

import { h, s, table } from './dom.js';
import { t } from './i18n.js';

function barChart(title, rows) {
  const width = 520;
  const rowHeight = 28;
  const labelWidth = 220;
  const valueWidth = 48;
  const height = rows.length * rowHeight + 8;
  const top = Math.max(1, ...rows.map((r) => r.value));
  const span = width - labelWidth - valueWidth - 12;
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      class: 'chart',
      role: 'img',
      'aria-label': title,
      preserveAspectRatio: 'xMinYMin meet',
    },
    s('title', {}, title),
    rows.map((row, i) => {
      const y = 4 + i * rowHeight;
      const bar = row.value > 0 ? Math.max(3, (row.value / top) * span) : 0;
      return s(
        'g',
        { class: `bar-row ${row.tone ?? ''}` },
        s('title', {}, `${row.label}: ${row.value}`),
        s('text', { x: labelWidth - 10, y: y + rowHeight / 2, class: 'bar-label', 'text-anchor': 'end', 'dominant-baseline': 'central' }, row.label),
        s('rect', { x: labelWidth, y: y + 5, width: bar, height: rowHeight - 10, rx: 3, class: 'bar' }),
        s('text', { x: labelWidth + bar + 8, y: y + rowHeight / 2, class: 'bar-value', 'dominant-baseline': 'central' }, String(row.value)),
      );
    }),
  );
  return svg;
}

export function chartFigure(title, chartTitle, rows, headers, tableRows, testid) {
  return h(
    'figure',
    { class: 'card chart-card', 'data-testid': testid },
    h('figcaption', {}, h('h2', {}, title)),
    barChart(chartTitle, rows),
    h('details', {}, h('summary', {}, t('common.showTable')), table(headers, tableRows)),
  );
}
