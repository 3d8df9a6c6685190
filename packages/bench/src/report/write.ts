import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toMarkdown, type ScenarioResult } from './result.js';
import { renderChart } from './svg.js';

/** Writes `<scenario>.json`, `<scenario>.svg` (when it has a chart) and appends to `summary.md`. */
export function writeResult(dir: string, result: ScenarioResult, meta: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.scenario}.json`), `${JSON.stringify({ ...meta, ...result }, null, 2)}\n`);
  if (result.chart) writeFileSync(join(dir, `${result.scenario}.svg`), renderChart(result.chart));
  writeFileSync(join(dir, 'summary.md'), `${toMarkdown(result)}\n`, { flag: 'a' });
}
