import type { Message } from '@kefu/protocol';

/** What a shopper is shown: never private notes. */
export const isVisible = (message: Message): boolean => message.kind !== 'note';

/** Messages from the shop (agents and system lines) after the shopper's read mark. */
export function countUnread(messages: readonly Message[], readSeq: number): number {
  return messages.filter((m) => m.seq > readSeq && m.author.type !== 'visitor' && isVisible(m)).length;
}

/** The seq of the shopper's latest message the shop has read, to put "Seen" under it. */
export function lastSeenOwnSeq(messages: readonly Message[], agentReadSeq: number): number | null {
  let seen: number | null = null;
  for (const m of messages) if (m.author.type === 'visitor' && m.seq <= agentReadSeq) seen = m.seq;
  return seen;
}

export type DayLabel = { kind: 'today' } | { kind: 'yesterday' } | { kind: 'date'; date: Date };

const dayKey = (d: Date): string => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

/** Groups consecutive items by local calendar day, labelled relative to `now`. */
export function groupByDay<T>(items: readonly T[], timeOf: (item: T) => string, now: Date): { key: string; label: DayLabel; items: T[] }[] {
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  const groups: { key: string; label: DayLabel; items: T[] }[] = [];
  for (const item of items) {
    const date = new Date(timeOf(item));
    const key = dayKey(date);
    const group = groups.at(-1);
    if (group && group.key === key) {
      group.items.push(item);
      continue;
    }
    const label: DayLabel = key === dayKey(now) ? { kind: 'today' } : key === dayKey(yesterday) ? { kind: 'yesterday' } : { kind: 'date', date };
    groups.push({ key, label, items: [item] });
  }
  return groups;
}

/** Whole minutes to show for an estimated wait, or 0 for "less than a minute". */
export const waitMinutes = (seconds: number): number => (seconds < 60 ? 0 : Math.round(seconds / 60));

/** Black or white text, whichever reads better on the accent colour (WCAG relative luminance). */
export function textOn(hex: string): '#000' | '#fff' {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.35 ? '#000' : '#fff';
}

export const initialOf = (name: string | null | undefined): string => (name?.trim()[0] ?? '?').toUpperCase();
