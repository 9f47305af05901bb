/**
 * Horizontal bar charts as inline SVG, one small SVG per bar so the bars stretch with the page
 * while the labels stay HTML text. Each bar is an image with its own label for screen readers.
 */
import { esc } from './html-escape.ts';

export interface Bar {
  label: string;
  value: number;
  /** A CSS class that colours the bar (`sev-critical`, `bar-check`). */
  tone: string;
}

/** Smallest visible width of a non-zero bar, in percent of the track. */
const MIN_WIDTH = 1.5;

export function barChart(id: string, title: string, unit: string, bars: readonly Bar[]): string {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const rows = bars.map((bar) => {
    const width = bar.value === 0 ? 0 : Math.max(MIN_WIDTH, (bar.value / max) * 100);
    const name = `${bar.label}: ${bar.value} ${bar.value === 1 ? unit : `${unit}s`}`;
    return `<li class="bar-row${bar.value === 0 ? ' is-zero' : ''}" data-bar="${esc(bar.label)}" data-value="${bar.value}">
<span class="bar-label">${esc(bar.label)}</span>
<svg class="bar ${esc(bar.tone)}" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="${esc(name)}"><title>${esc(name)}</title><rect class="bar-track" x="0" y="0" width="100" height="10" rx="0"/><rect class="bar-fill" x="0" y="0" width="${round(width)}" height="10"/></svg>
<span class="bar-value">${bar.value}</span>
</li>`;
  });
  return `<figure class="chart" id="${esc(id)}" aria-labelledby="${esc(id)}-title">
<figcaption id="${esc(id)}-title">${esc(title)}</figcaption>
<ul class="bars">
${rows.join('\n')}
</ul>
</figure>`;
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}
