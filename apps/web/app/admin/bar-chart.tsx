'use client';

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the pieces a bar chart needs: chart.js leaves the rest out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export type Series = { label: string; data: number[]; color: string };

/**
 * A bar chart on a canvas. A canvas says nothing to a screen reader: it is labelled as an image, and
 * every chart of the reports comes with a table of the same figures.
 */
export function BarChart({ title, labels, series }: { title: string; labels: string[]; series: Series[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color })) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1 } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [labels, series]);
  return (
    <div style={{ position: 'relative', height: 220 }}>
      <canvas ref={canvas} role="img" aria-label={title} />
    </div>
  );
}
