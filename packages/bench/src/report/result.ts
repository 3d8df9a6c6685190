/** One scenario's outcome: a table for people, a chart, and the raw figures for JSON. */
export type Cell = string | number;
export type Chart = { title: string; unit: string; groups: string[]; series: { name: string; values: number[] }[]; log?: boolean };
export type ScenarioResult = {
  scenario: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  chart?: Chart;
  notes: string[];
  raw: unknown;
};

const show = (cell: Cell): string => (typeof cell === 'number' ? (Number.isNaN(cell) ? '-' : String(Math.round(cell * 100) / 100)) : cell);

/** A Markdown table: readable in a terminal and pasted as is into docs/benchmarks.md. */
export function toMarkdown(result: ScenarioResult): string {
  const lines = [
    `### ${result.title}`,
    '',
    `| ${result.columns.join(' | ')} |`,
    `|${result.columns.map(() => '---').join('|')}|`,
    ...result.rows.map((row) => `| ${row.map(show).join(' | ')} |`),
  ];
  if (result.notes.length > 0) lines.push('', ...result.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
