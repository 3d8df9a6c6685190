// Prints the widget's weight against its budget (gzip -9, as a CDN or a compressing proxy would
// serve it). `--json` prints the same as JSON for the benchmark report. Exits 1 over budget.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const budget = { loaderGzip: 3 * 1024, frameGzip: 80 * 1024 };
const measure = async (name) => {
  const bytes = await readFile(`${dist}${name}`);
  return { name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};

const files = await Promise.all(['widget.js', 'frame.js', 'frame.css'].map(measure));
const report = {
  files,
  loaderGzip: files[0].gzip,
  // What the iframe loads: its script (socket.io-client included) and its stylesheet.
  frameGzip: files[1].gzip + files[2].gzip,
  budget,
};
const fits = report.loaderGzip <= budget.loaderGzip && report.frameGzip <= budget.frameGzip;

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log('file        bytes       gzip');
  for (const f of files) console.log(`${f.name.padEnd(11)} ${kb(f.bytes).padStart(9)} ${kb(f.gzip).padStart(10)}`);
  console.log(`loader (widget.js)  ${kb(report.loaderGzip)} of ${kb(budget.loaderGzip)} gzipped`);
  console.log(`chat frame (JS+CSS) ${kb(report.frameGzip)} of ${kb(budget.frameGzip)} gzipped`);
  console.log(fits ? 'within budget' : 'OVER BUDGET');
}
process.exitCode = fits ? 0 : 1;
