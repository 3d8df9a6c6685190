import { describe, expect, it } from '@jest/globals';
import type { Attachment } from '@kefu/protocol';
import { attachmentHref } from './upload.js';

const attachment = (url: string): Attachment => ({ id: 'a1', name: 'photo.png', mime: 'image/png', size: 68, url });

describe('attachmentHref', () => {
  it("links a path on the desk's server", () => {
    expect(attachmentHref('https://desk.example:3001', attachment('/api/uploads/abc'))).toBe('https://desk.example:3001/api/uploads/abc');
  });

  it('links nothing that resolves elsewhere: a script URL, data, another site', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'https://evil.example/x', '//evil.example/x']) {
      expect(attachmentHref('https://desk.example:3001', attachment(url))).toBeUndefined();
    }
  });
});
