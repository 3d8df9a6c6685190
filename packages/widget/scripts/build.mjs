// Builds the two browser bundles: the loader (dist/widget.js, the one script tag shops embed) and
// the chat frame (dist/frame.js + frame.css). A manifest names the build so caches can be busted.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
  legalComments: 'none',
  logLevel: 'warning',
  // The SDK's sources, not its Node build: one bundle, tree-shaken.
  conditions: ['source'],
  define: { 'process.env.NODE_ENV': '"production"' },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({ ...common, entryPoints: [`${root}src/loader/index.ts`], outfile: `${dist}/widget.js` });
await build({
  ...common,
  entryPoints: [`${root}src/frame/main.tsx`],
  outfile: `${dist}/frame.js`,
  jsx: 'automatic',
  jsxImportSource: 'preact',
});

const hash = createHash('sha256');
for (const file of ['widget.js', 'frame.js', 'frame.css']) hash.update(await readFile(`${dist}/${file}`));
await writeFile(`${dist}/manifest.json`, `${JSON.stringify({ version: hash.digest('hex').slice(0, 12) })}\n`);
console.log('widget built: dist/widget.js, dist/frame.js, dist/frame.css');
