// ISO strings are compared as instants, not as text, so that offsets like "+02:00" order correctly.

/** Milliseconds since the epoch, or null for a missing or unparsable time. */
export function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Ascending comparison where a missing time sorts as `missingAs`. */
export function compareTimes(a: string | null, b: string | null, missingAs: number): number {
  const ta = parseTime(a) ?? missingAs;
  const tb = parseTime(b) ?? missingAs;
  return ta === tb ? 0 : ta < tb ? -1 : 1;
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
