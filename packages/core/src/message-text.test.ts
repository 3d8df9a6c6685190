import { describe, it, expect } from '@jest/globals';
import { checkBody, countCharacters, normalizeBody } from './message-text.js';
import type { BodyCheck } from './message-text.js';

describe('normalizeBody', () => {
  it.each([
    { label: 'plain text untouched', input: 'hello', expected: 'hello' },
    { label: 'surrounding spaces', input: '  hello  ', expected: 'hello' },
    { label: 'tabs and newlines at the edges', input: '\n\t hello \t\n', expected: 'hello' },
    { label: 'inner spacing kept', input: 'a  b\n\nc', expected: 'a  b\n\nc' },
    { label: 'CRLF → LF', input: 'a\r\nb\r\nc', expected: 'a\nb\nc' },
    { label: 'lone CR → LF', input: 'a\rb', expected: 'a\nb' },
    { label: 'CRLF at the edges trimmed', input: '\r\nhi\r\n', expected: 'hi' },
    { label: 'no-break space', input: '\u00A0hi\u00A0', expected: 'hi' },
    { label: 'ideographic space', input: '\u3000你好\u3000', expected: '你好' },
    { label: 'em space and line separator', input: '\u2003hi\u2028', expected: 'hi' },
    { label: 'zero-width space and BOM', input: '\uFEFF\u200Bhi\u200B', expected: 'hi' },
    { label: 'inner no-break space kept', input: 'a\u00A0b', expected: 'a\u00A0b' },
    { label: 'emoji kept', input: ' 👍🏽 ', expected: '👍🏽' },
    { label: 'only whitespace', input: ' \u00A0\r\n\t\u3000 ', expected: '' },
    { label: 'empty', input: '', expected: '' },
  ])('$label', ({ input, expected }) => {
    expect(normalizeBody(input)).toBe(expected);
  });
});

describe('countCharacters', () => {
  it.each([
    { input: '', expected: 0 },
    { input: 'abc', expected: 3 },
    { input: '你好', expected: 2 },
    { input: '👍', expected: 1 }, // 2 UTF-16 units
    { input: '𝒳y', expected: 2 }, // astral letter
    { input: '👍🏽', expected: 2 }, // emoji + skin tone modifier
    { input: '👨‍👩‍👧', expected: 5 }, // ZWJ family: three emoji and two joiners
  ])('$input → $expected', ({ input, expected }) => {
    expect(countCharacters(input)).toBe(expected);
  });
});

describe('checkBody', () => {
  it.each<{ label: string; body: string; max: number; attachments: boolean; expected: BodyCheck }>([
    { label: 'normal message', body: 'hello', max: 10, attachments: false, expected: { ok: true, body: 'hello' } },
    { label: 'returns the normalized body', body: ' a\r\nb ', max: 10, attachments: false, expected: { ok: true, body: 'a\nb' } },
    { label: 'empty', body: '', max: 10, attachments: false, expected: { ok: false, code: 'bad_request', message: 'message is empty' } },
    { label: 'only whitespace', body: ' \n\u00A0 ', max: 10, attachments: false, expected: { ok: false, code: 'bad_request', message: 'message is empty' } },
    { label: 'empty with attachments is fine', body: '  ', max: 10, attachments: true, expected: { ok: true, body: '' } },
    { label: 'exactly at the limit', body: 'abcde', max: 5, attachments: false, expected: { ok: true, body: 'abcde' } },
    {
      label: 'one over the limit',
      body: 'abcdef',
      max: 5,
      attachments: false,
      expected: { ok: false, code: 'too_large', message: 'message is 6 characters; the limit is 5' },
    },
    {
      label: 'attachments do not lift the limit',
      body: 'abcdef',
      max: 5,
      attachments: true,
      expected: { ok: false, code: 'too_large', message: 'message is 6 characters; the limit is 5' },
    },
    { label: 'surrounding spaces do not count', body: '   abcde   ', max: 5, attachments: false, expected: { ok: true, body: 'abcde' } },
    { label: 'CRLF counts as one', body: 'ab\r\ncd', max: 5, attachments: false, expected: { ok: true, body: 'ab\ncd' } },
    // Five emoji are ten UTF-16 units; counting units would refuse them.
    { label: 'emoji count as one each', body: '😀😀😀😀😀', max: 5, attachments: false, expected: { ok: true, body: '😀😀😀😀😀' } },
    {
      label: 'emoji over the limit',
      body: '😀😀😀😀😀😀',
      max: 5,
      attachments: false,
      expected: { ok: false, code: 'too_large', message: 'message is 6 characters; the limit is 5' },
    },
    { label: 'CJK within limit', body: '你好世界', max: 4, attachments: false, expected: { ok: true, body: '你好世界' } },
  ])('$label', ({ body, max, attachments, expected }) => {
    expect(checkBody(body, max, attachments)).toEqual(expected);
  });

  it('handles a large message', () => {
    const result = checkBody('x'.repeat(100_001), 100_000, false);
    expect(result).toEqual({ ok: false, code: 'too_large', message: 'message is 100001 characters; the limit is 100000' });
  });
});
