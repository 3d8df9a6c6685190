// Regenerates the reference half of docs/protocol.md (below the marker line) from the schemas.
// Node-only, so it is its own entry: `npm run docs:protocol` builds this package and runs dist/write-docs.js.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spliceProtocolDoc } from './docs.js';

const target = process.argv[2] ?? fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));
const before = readFileSync(target, 'utf8');
const after = spliceProtocolDoc(before);
if (after === before) {
  console.log(`${target} is up to date`);
} else {
  writeFileSync(target, after);
  console.log(`${target} regenerated`);
}
