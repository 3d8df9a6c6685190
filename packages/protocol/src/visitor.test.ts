import { describe, expect, it } from '@jest/globals';
import { visitorCommands } from './visitor.js';

const update = visitorCommands['visitor:update'].input;

describe('visitor:update page', () => {
  it.each(['https://shop.example/cart?x=1', 'http://127.0.0.1:3000/'])('accepts the web URL %s', (url) => {
    expect(update.safeParse({ page: { url, referrer: '' } }).success).toBe(true);
  });

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '/relative', 'not a url', ''])(
    'refuses %j as the page or the referrer',
    (url) => {
      expect(update.safeParse({ page: { url } }).success).toBe(false);
      if (url !== '') expect(update.safeParse({ page: { url: 'https://shop.example/', referrer: url } }).success).toBe(false);
    },
  );
});
