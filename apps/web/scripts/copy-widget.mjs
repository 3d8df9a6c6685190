// Puts the built widget where the web app serves it: /widget.js (the loader shops embed) and
// /widget/frame.js, /widget/frame.css (what the chat iframe loads).
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const widgetDist = join(dirname(require.resolve('@kefu/widget/package.json')), 'dist');
const publicDir = fileURLToPath(new URL('../public/', import.meta.url));

await mkdir(join(publicDir, 'widget'), { recursive: true });
await copyFile(join(widgetDist, 'widget.js'), join(publicDir, 'widget.js'));
for (const file of ['frame.js', 'frame.css', 'manifest.json']) await copyFile(join(widgetDist, file), join(publicDir, 'widget', file));
console.log('widget files copied to apps/web/public');
