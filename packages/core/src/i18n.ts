/**
 * The desk's two languages, shared by the widget and the dashboard. A dictionary entry is a whole
 * sentence with {placeholders}: no text is built by joining translated pieces, since word order
 * differs between the languages. Plural forms follow Intl.PluralRules on the `count` parameter.
 */
export type Lang = 'en' | 'zh-CN';
export const langs: readonly Lang[] = ['en', 'zh-CN'];
export type Entry = string | { one: string; other: string };
export type Params = Record<string, string | number>;
export type Translate<K extends string> = (key: K, params?: Params) => string;

/** The first of the browser's languages we speak (any Chinese reads Simplified Chinese), else English. */
export function pickLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const lower = tag.trim().toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

/** A language tag read back from storage or a request: one of ours, or null. */
export function asLang(value: unknown): Lang | null {
  return langs.includes(value as Lang) ? (value as Lang) : null;
}

/** The languages of an Accept-Language header, most preferred first. */
export function acceptedLangs(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = Number(rest.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

export function translator<K extends string>(lang: Lang, dictionary: Record<K, Entry>): Translate<K> {
  const plural = new Intl.PluralRules(lang);
  return (key, params = {}) => {
    const entry = dictionary[key];
    const template = typeof entry === 'string' ? entry : entry[plural.select(Number(params.count)) === 'one' ? 'one' : 'other'];
    // A placeholder without a value stays visible rather than inventing one.
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

/** The placeholder names of an entry (all forms), sorted: both languages must use the same ones. */
export function placeholdersOf(entry: Entry): string[] {
  const forms = typeof entry === 'string' ? [entry] : [entry.one, entry.other];
  const names = new Set<string>();
  for (const form of forms) for (const match of form.matchAll(/\{(\w+)\}/g)) names.add(match[1]!);
  return [...names].sort();
}

/** Where two dictionaries disagree: keys missing on either side, or different placeholders. */
export function dictionaryMismatches(a: Record<string, Entry>, b: Record<string, Entry>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(a)) if (!(key in b)) problems.push(`${key}: missing in the second`);
  for (const key of Object.keys(b)) {
    if (!(key in a)) {
      problems.push(`${key}: missing in the first`);
      continue;
    }
    const left = placeholdersOf(a[key]!).join(',');
    const right = placeholdersOf(b[key]!).join(',');
    if (left !== right) problems.push(`${key}: placeholders {${left}} vs {${right}}`);
  }
  return problems;
}
