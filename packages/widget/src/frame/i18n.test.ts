import { describe, expect, it } from '@jest/globals';
import { pickLang, translator } from './i18n.js';

describe('i18n', () => {
  it.each([
    [null, ['zh-CN', 'en'], 'zh-CN'],
    [null, ['zh-TW'], 'zh-CN'],
    [null, ['fr-FR', 'en-GB'], 'en'],
    [null, ['fr-FR'], 'en'],
    [null, [], 'en'],
    ['en', ['zh-CN'], 'en'],
    ['zh-CN', ['en-US'], 'zh-CN'],
  ] as const)('inbox %s with browser %j speaks %s', (inbox, browser, expected) => {
    expect(pickLang(inbox, browser)).toBe(expected);
  });

  it('fills placeholders and picks plural forms', () => {
    const en = translator('en');
    expect(en('queuePosition', { position: 3 })).toBe("You're number 3 in the queue.");
    expect(en('waitMinutes', { count: 1 })).toBe('Estimated wait: about 1 minute.');
    expect(en('waitMinutes', { count: 4 })).toBe('Estimated wait: about 4 minutes.');
    const zh = translator('zh-CN');
    expect(zh('typing', { name: '小王' })).toBe('小王 正在输入…');
    expect(zh('message')).toBe('消息');
  });

  it('leaves a placeholder without a value visible rather than inventing one', () => {
    expect(translator('en')('typing')).toBe('{name} is typing…');
  });
});
