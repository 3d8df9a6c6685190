import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ScenarioResult } from '../report/result.js';
import { repoRoot } from '../targets/process.js';

type SizeReport = {
  files: { name: string; bytes: number; gzip: number }[];
  loaderGzip: number;
  frameGzip: number;
  budget: { loaderGzip: number; frameGzip: number };
};

const sizeScript = join(repoRoot, 'packages/widget/scripts/size.mjs');

/** 7. The widget's weight, from the widget's own size script (it knows its build); "widget not built" without one. */
export async function widget(): Promise<ScenarioResult> {
  const base = { scenario: 'widget', title: '7. widget weight', columns: ['file', 'bytes', 'gzip bytes', 'budget (gzip)'] };
  const report = existsSync(sizeScript) ? await readSizes().catch(() => null) : null;
  if (!report) return { ...base, rows: [['widget not built', '-', '-', '-']], notes: ['Run `npm run build` first: the widget (packages/widget) reports its size after a build.'], raw: null };
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  return {
    ...base,
    rows: [
      ...report.files.map((f) => [f.name, f.bytes, f.gzip, '']),
      ['loader (gzip)', '', report.loaderGzip, `${kb(report.budget.loaderGzip)} ${report.loaderGzip <= report.budget.loaderGzip ? 'met' : 'OVER'}`],
      ['chat frame (gzip)', '', report.frameGzip, `${kb(report.budget.frameGzip)} ${report.frameGzip <= report.budget.frameGzip ? 'met' : 'OVER'}`],
    ],
    chart: {
      title: 'widget weight (gzip) against its budget',
      unit: 'KiB gzip',
      groups: ['loader', 'chat frame'],
      series: [
        { name: 'size', values: [report.loaderGzip / 1024, report.frameGzip / 1024] },
        { name: 'budget', values: [report.budget.loaderGzip / 1024, report.budget.frameGzip / 1024] },
      ],
    },
    notes: ['From `node packages/widget/scripts/size.mjs --json`.'],
    raw: report,
  };
}

async function readSizes(): Promise<SizeReport> {
  const { stdout } = await promisify(execFile)(process.execPath, [sizeScript, '--json'], { cwd: repoRoot, timeout: 30_000 });
  const report = JSON.parse(stdout) as SizeReport;
  if (!Array.isArray(report.files)) throw new Error('unexpected size report');
  return report;
}
