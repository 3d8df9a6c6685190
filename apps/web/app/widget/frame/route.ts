import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webEnv } from '../../../lib/env';

// Read per request: the server URL is a run-time setting.
export const dynamic = 'force-dynamic';

// Written by scripts/copy-widget.mjs at build time: the widget build's hash, to bust caches.
let version: string | null = null;
const widgetVersion = (): string =>
  (version ??= (JSON.parse(readFileSync(join(process.cwd(), 'public', 'widget', 'manifest.json'), 'utf8')) as { version: string }).version);

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The page inside the widget's iframe: no framework runtime, just the lean chat bundle (budget:
 * 80 KB gzipped with socket.io-client). Its CSP lets it talk to the kefu server and nothing else,
 * and any shop may frame it (which shops may chat is the inbox's allowed-origins check).
 */
export function GET(): Response {
  const { publicServerUrl } = webEnv();
  const server = new URL(publicServerUrl);
  const socketOrigin = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}`;
  const build = encodeURIComponent(widgetVersion());
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="kefu-server" content="${escapeAttribute(server.origin)}">
<title>Chat</title>
<link rel="stylesheet" href="/widget/frame.css?v=${build}">
<script src="/widget/frame.js?v=${build}" defer></script>
</head>
<body><div id="kefu"></div></body>
</html>`;
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${server.origin} ${socketOrigin}`,
    `img-src 'self' ${server.origin} data: blob:`,
    "base-uri 'none'",
    "form-action 'none'",
    'frame-ancestors *',
  ].join('; ');
  return new Response(html, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    },
  });
}
