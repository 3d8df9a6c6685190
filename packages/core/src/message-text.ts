// \s covers the Unicode spaces (NBSP, ideographic space, …); zero-width spaces are added because
// a message made only of them looks empty to everyone reading it.
const EDGE_SPACE = /^[\s\u200B\u2060]+|[\s\u200B\u2060]+$/gu;

/** Line endings become \n (so length and rendering agree everywhere) and edges are trimmed. */
export function normalizeBody(body: string): string {
  return body.replace(/\r\n?/g, '\n').replace(EDGE_SPACE, '');
}

export type BodyCheck =
  | { ok: true; body: string }
  | { ok: false; code: 'bad_request' | 'too_large'; message: string };

/** Length in code points, so an emoji counts as one character, not two UTF-16 units. */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export function checkBody(body: string, maxLength: number, hasAttachments: boolean): BodyCheck {
  const normalized = normalizeBody(body);
  if (normalized === '' && !hasAttachments) {
    return { ok: false, code: 'bad_request', message: 'message is empty' };
  }
  const length = countCharacters(normalized);
  if (length > maxLength) {
    return { ok: false, code: 'too_large', message: `message is ${length} characters; the limit is ${maxLength}` };
  }
  return { ok: true, body: normalized };
}
