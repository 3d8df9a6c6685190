/**
 * How kefu's full-text indexes see text, shared by SQLite (FTS5) and PostgreSQL (tsvector).
 * Neither store's word splitter cuts Chinese, Japanese or Korean text into words (a whole run of
 * ideographs becomes one token), and guessing word boundaries needs a dictionary. So each CJK
 * character is indexed as a word of its own and a CJK query becomes a phrase of its characters:
 * "退款" finds "我想退款" (the two characters next to each other) and never "退货…付款".
 */

/** Hiragana, Katakana, CJK ideographs (with extension A and compatibility), Hangul syllables. */
export const CJK_CLASS = String.raw`\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff`;
const cjk = new RegExp(`([${CJK_CLASS}])`, 'gu');
const separators = /[^\p{L}\p{N}]+/u;

/** The text the SQLite index holds for a body: lower case, CJK characters spaced apart. */
export const searchText = (body: string): string => body.toLowerCase().replace(cjk, ' $1 ');

/**
 * PostgreSQL's twin of searchText, also splitting on everything but letters and digits, as FTS5
 * does and PostgreSQL's parser does not (it keeps `ana@example.com` whole). The CJK class is
 * kept explicitly: in a database with the plain C locale `[:alnum:]` knows only ASCII.
 */
export const postgresSearchTextFunction = String.raw`
create or replace function kefu_search_text(body text) returns text
language sql immutable parallel safe as $$
  select regexp_replace(
    regexp_replace(lower(body), '([${CJK_CLASS}])', ' \1 ', 'g'),
    '[^[:alnum:]${CJK_CLASS}]+', ' ', 'g')
$$`;

/** A query as groups of tokens: each whitespace-separated word is one group, matched as a phrase. */
export function searchGroups(query: string): string[][] {
  return query
    .split(/\s+/u)
    .map((word) => searchText(word).split(separators).filter(Boolean))
    .filter((tokens) => tokens.length > 0);
}

/** FTS5 MATCH syntax: every group a phrase (its last token a prefix), all of them required. */
export const ftsMatchOf = (groups: string[][]): string => groups.map((tokens) => `"${tokens.join(' ')}"*`).join(' AND ');

/**
 * to_tsquery syntax: all the tokens (the last of each group a prefix), in any order. Phrases are
 * checked after the index with matchesPhrases: a phrase in the query would make PostgreSQL rebuild
 * the tsvector of every candidate row.
 */
export const tsQueryOf = (groups: string[][]): string =>
  groups.flatMap((tokens) => tokens.map((t, i) => (i === tokens.length - 1 && !isCjk(t) ? `${t}:*` : t))).join(' & ');

// A CJK token is one character: as a prefix it matches only itself, and PostgreSQL's estimate of a
// prefix match is so high that it would rather scan every message than use the index.
const isCjk = (token: string): boolean => new RegExp(`^[${CJK_CLASS}]$`, 'u').test(token);

/** Every group's tokens follow each other in the body, the last as a prefix: FTS5's `"a b"*`. */
export function matchesPhrases(body: string, groups: string[][]): boolean {
  const words = ` ${searchText(body).split(separators).filter(Boolean).join(' ')}`;
  return groups.every((tokens) => words.includes(` ${tokens.join(' ')}`));
}

/**
 * About `length` characters of `body` around the first place one of the query's tokens appears, so
 * a match deep in a long message is still in its result.
 */
export function snippetOf(body: string, groups: string[][], length: number): string {
  if (body.length <= length) return body;
  const lower = body.toLowerCase();
  const hits = groups.flat().map((token) => lower.indexOf(token)).filter((i) => i >= 0);
  const at = hits.length > 0 ? Math.min(...hits) : 0;
  const start = Math.max(0, Math.min(at - Math.floor(length / 3), body.length - length));
  return `${start > 0 ? '…' : ''}${body.slice(start, start + length)}${start + length < body.length ? '…' : ''}`;
}
