import type { Chart } from './result.js';

/**
 * A grouped bar chart as a standalone SVG string. Written by hand on purpose: the chart libraries of
 * the field (d3, vega, Chart.js) want a DOM or a canvas in Node, and a few dozen lines of SVG give
 * bars, a scale and a legend that any browser or GitHub renders.
 */
const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2'];
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(chart: Chart): string {
  const width = 760;
  const height = 360;
  const plot = { left: 70, top: 40, right: width - 20, bottom: height - 70 };
  const finite = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(1, ...finite);
  const min = chart.log ? Math.max(0.01, Math.min(...finite, max) / 2) : 0;
  const scale = (v: number) => {
    if (!Number.isFinite(v) || v <= 0) return 0;
    const f = chart.log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min) || 1) : v / max;
    return Math.max(0, f) * (plot.bottom - plot.top);
  };
  const groupWidth = (plot.right - plot.left) / Math.max(1, chart.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, chart.series.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escape(chart.title)}</text>`,
    `<text x="14" y="${(plot.top + plot.bottom) / 2}" transform="rotate(-90 14 ${(plot.top + plot.bottom) / 2})" text-anchor="middle">${escape(chart.unit)}${chart.log ? ' (log scale)' : ''}</text>`,
    `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" stroke="#333"/>`,
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}" stroke="#333"/>`,
  ];
  for (const tick of ticks(min, max, chart.log)) {
    const y = plot.bottom - scale(tick);
    parts.push(`<line x1="${plot.left - 4}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#eee"/>`, `<text x="${plot.left - 6}" y="${y + 4}" text-anchor="end">${tick}</text>`);
  }
  chart.groups.forEach((group, g) => {
    const x0 = plot.left + g * groupWidth + groupWidth * 0.1;
    chart.series.forEach((series, s) => {
      const value = series.values[g] ?? NaN;
      const h = scale(value);
      const x = x0 + s * barWidth;
      parts.push(`<rect x="${x.toFixed(1)}" y="${(plot.bottom - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[s % COLORS.length]}"><title>${escape(`${series.name} ${group}: ${value}`)}</title></rect>`);
    });
    parts.push(`<text x="${x0 + groupWidth * 0.4}" y="${plot.bottom + 16}" text-anchor="middle">${escape(group)}</text>`);
  });
  chart.series.forEach((series, s) => {
    const x = plot.left + s * 180;
    parts.push(`<rect x="${x}" y="${height - 34}" width="12" height="12" fill="${COLORS[s % COLORS.length]}"/>`, `<text x="${x + 16}" y="${height - 24}">${escape(series.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function ticks(min: number, max: number, log = false): number[] {
  if (log) {
    const out: number[] = [];
    for (let p = Math.floor(Math.log10(min)); 10 ** p <= max * 1.0001; p++) if (10 ** p >= min) out.push(Number((10 ** p).toPrecision(1)));
    return out;
  }
  const step = 10 ** Math.floor(Math.log10(max / 4 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => max / s <= 6) ?? step * 10;
  return Array.from({ length: Math.floor(max / nice) + 1 }, (_, i) => Number((i * nice).toPrecision(6)));
}
