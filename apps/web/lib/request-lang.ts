import { acceptedLangs, asLang, pickLang, type Lang } from '@kefu/core';
import { cookies, headers } from 'next/headers';
import { langCookie } from './i18n';

/**
 * The language of the first paint: the agent's saved choice (a cookie the switch writes), else the
 * browser's Accept-Language. The page then confirms it from localStorage and navigator.languages.
 */
export async function requestLang(): Promise<Lang> {
  const saved = asLang((await cookies()).get(langCookie)?.value);
  return saved ?? pickLang(acceptedLangs((await headers()).get('accept-language')));
}
