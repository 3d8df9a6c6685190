import { describe, expect, it } from '@jest/globals';
import { linkify, safeHref } from './links.js';

describe('linkify', () => {
  it.each([
    ['plain text', [{ kind: 'text', text: 'plain text' }]],
    ['see https://shop.example/a?b=1.', [{ kind: 'text', text: 'see ' }, { kind: 'link', text: 'https://shop.example/a?b=1', href: 'https://shop.example/a?b=1' }, { kind: 'text', text: '.' }]],
    ['(http://x.example/y)', [{ kind: 'text', text: '(' }, { kind: 'link', text: 'http://x.example/y', href: 'http://x.example/y' }, { kind: 'text', text: ')' }]],
    ['mail mailto:help@shop.example!', [{ kind: 'text', text: 'mail ' }, { kind: 'link', text: 'mailto:help@shop.example', href: 'mailto:help@shop.example' }, { kind: 'text', text: '!' }]],
    ['看这里https://shop.example/订单。', [{ kind: 'text', text: '看这里' }, { kind: 'link', text: 'https://shop.example/订单', href: 'https://shop.example/%E8%AE%A2%E5%8D%95' }, { kind: 'text', text: '。' }]],
  ])('%s', (body, tokens) => {
    expect(linkify(body)).toEqual(tokens);
  });

  it('never links other schemes, whatever they look like', () => {
    for (const body of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>x</script>', 'vbscript:msgbox', 'file:///etc/passwd', '<a href="javascript:alert(1)">x</a>']) {
      expect(linkify(body).every((t) => t.kind === 'text')).toBe(true);
      expect(linkify(body).map((t) => t.text).join('')).toBe(body);
    }
  });

  it('keeps every character of the body, in order', () => {
    const body = 'a https://x.example b mailto:c@d.example, e <b>f</b> https://g.example/"onmouseover="x';
    expect(linkify(body).map((t) => t.text).join('')).toBe(body);
  });

  it('safeHref accepts only http, https and mailto', () => {
    expect(safeHref('https://a.example')).toBe('https://a.example/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});
