import { describe, expect, it } from '@jest/globals';
import { acceptedLangs, asLang, dictionaryMismatches, pickLang, placeholdersOf, translator } from './i18n.js';

describe('i18n', () => {
  it.each([
    [['zh-CN', 'en'], 'zh-CN'],
    [['zh-TW'], 'zh-CN'],
    [['fr-FR', 'en-GB'], 'en'],
    [['fr-FR'], 'en'],
    [[], 'en'],
  ] as const)('browser %j speaks %s', (browser, expected) => {
    expect(pickLang(browser)).toBe(expected);
  });

  it('reads Accept-Language by quality, then order', () => {
    expect(acceptedLangs('fr;q=0.9, zh-CN, en;q=0.8')).toEqual(['zh-CN', 'fr', 'en']);
    expect(acceptedLangs('en;q=0, zh')).toEqual(['zh']);
    expect(acceptedLangs(null)).toEqual([]);
  });

  it('accepts only its own language tags back from storage', () => {
    expect(asLang('zh-CN')).toBe('zh-CN');
    expect(asLang('zh')).toBeNull();
    expect(asLang(null)).toBeNull();
  });

  it('fills placeholders, picks plural forms, and leaves a missing value visible', () => {
    const t = translator('en', { n: { one: '{count} chat', other: '{count} chats' }, hi: 'Hi {name}' });
    expect(t('n', { count: 1 })).toBe('1 chat');
    expect(t('n', { count: 3 })).toBe('3 chats');
    expect(t('hi')).toBe('Hi {name}');
  });

  it('finds keys and placeholders that differ between dictionaries', () => {
    expect(placeholdersOf({ one: '{count}', other: '{count} {x}' })).toEqual(['count', 'x']);
    expect(dictionaryMismatches({ a: '{x}', b: 'b' }, { a: '{y}', c: 'c' })).toEqual(['b: missing in the second', 'a: placeholders {x} vs {y}', 'c: missing in the first']);
  });
});
