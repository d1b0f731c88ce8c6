// Two small charts drawn as SVG and HTML nodes (no library, no inline markup).

import { format, h, svg } from './dom.js';

/** Bars per minute: values[i] is minute i of the window, the last one the current minute. */
export function minuteBars(values, { label, unit }) {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...values);
  const slot = width / values.length;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 18}`, class: 'bars', role: 'img', 'aria-label': label });
  chart.append(svg('line', { x1: 0, y1: height + 0.5, x2: width, y2: height + 0.5, class: 'axis' }));
  values.forEach((value, index) => {
    const barHeight = value ? Math.max(1.5, (value / max) * (height - 6)) : 0;
    const bar = svg('rect', {
      x: (index * slot + 1).toFixed(1), y: (height - barHeight).toFixed(1),
      width: Math.max(1, slot - 2).toFixed(1), height: barHeight.toFixed(1), rx: 1.5,
      class: index === values.length - 1 ? 'bar current' : 'bar',
    });
    bar.append(svg('title', {}, `${values.length - 1 - index} min ago: ${format.count(value)} ${unit}`));
    chart.append(bar);
  });
  chart.append(svg('text', { x: 0, y: height + 15, class: 'tick' }, `${values.length} min ago`));
  chart.append(svg('text', { x: width, y: height + 15, class: 'tick end' }, 'now'));
  chart.append(svg('text', { x: 2, y: 11, class: 'tick' }, `max ${format.count(max)}/min`));
  return chart;
}

/** Horizontal bars: [{key, value, text}], largest first. */
export function rankedBars(rows, { empty }) {
  if (!rows.length) return h('p', { className: 'muted chart-empty' }, empty);
  const max = Math.max(...rows.map((row) => row.value), Number.MIN_VALUE);
  return h('ul', { className: 'ranked' }, rows.map((row) => {
    const bar = h('span', { className: 'ranked-bar' });
    bar.style.width = `${Math.max(1, (row.value / max) * 100).toFixed(1)}%`;
    return h('li', null,
      h('span', { className: 'ranked-key', title: row.key }, row.key),
      h('span', { className: 'ranked-track' }, bar),
      h('span', { className: 'ranked-value' }, row.text));
  }));
}
