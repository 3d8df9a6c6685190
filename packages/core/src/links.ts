/** Message text as shown everywhere (widget, dashboard): links only for schemes that cannot run code. */
/** A piece of a message body: plain text, or a link whose href is http(s) or mailto and nothing else. */
export type Token = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Schemes are matched literally, so `javascript:` or `data:` never become links, whatever follows.
const LINK = /\b(?:https?:\/\/[^\s<>"]+|mailto:[^\s<>"@]+@[^\s<>"]+)/gi;
// Punctuation that ends a sentence is not part of the link it follows.
const TRAILING = /[.,;:!?)\]}'"。，！？）]+$/;

export function linkify(body: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of body.matchAll(LINK)) {
    const raw = match[0];
    const text = raw.replace(TRAILING, '');
    const start = match.index;
    if (start > last) tokens.push({ kind: 'text', text: body.slice(last, start) });
    const href = safeHref(text);
    tokens.push(href ? { kind: 'link', text, href } : { kind: 'text', text });
    last = start + text.length;
  }
  if (last < body.length) tokens.push({ kind: 'text', text: body.slice(last) });
  return tokens;
}

/** The URL as the browser will read it, when its scheme is one we link; else null. */
export function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
