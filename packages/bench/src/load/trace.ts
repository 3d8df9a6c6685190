import { readFileSync, writeFileSync } from 'node:fs';

/** A delivered message of a step: when its shopper sent it and how long until an agent read it (ms on clock()). */
export type TracePoint = { sentAt: number; ms: number };

/** One line a message, `sentAt<TAB>ms`, in the order they were read. */
export function writeTrace(file: string, points: TracePoint[]): void {
  writeFileSync(file, points.map(({ sentAt, ms }) => `${sentAt.toFixed(3)}\t${ms.toFixed(3)}\n`).join(''));
}

export function readTrace(file: string): TracePoint[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [sentAt, ms] = line.split('\t').map(Number);
      return { sentAt: sentAt!, ms: ms! };
    });
}

/** A stretch in which messages were late: from the first one's send to the last one's delivery. */
export type Episode = { from: number; to: number; late: number; worstMs: number };

/**
 * The stretches of late messages (over `overMs`), each message late from its send to its delivery,
 * those that overlap or lie within `joinMs` of each other as one. A step's tail comes in such stretches
 * (a node behind for tens of ms, its deliveries held while sends go on), not spread over the step.
 */
export function lateEpisodes(points: TracePoint[], overMs: number, joinMs = 5): Episode[] {
  const late = points.filter((p) => p.ms > overMs).sort((a, b) => a.sentAt - b.sentAt);
  const episodes: Episode[] = [];
  for (const { sentAt, ms } of late) {
    const last = episodes.at(-1);
    if (last && sentAt <= last.to + joinMs) {
      last.to = Math.max(last.to, sentAt + ms);
      last.late++;
      last.worstMs = Math.max(last.worstMs, ms);
    } else episodes.push({ from: sentAt, to: sentAt + ms, late: 1, worstMs: ms });
  }
  return episodes;
}

/** Whether a time (ms on clock()) falls in one of `episodes` (sorted, as lateEpisodes gives them). */
export function inEpisodes(episodes: Episode[]): (atMs: number) => boolean {
  return (at) => {
    let low = 0;
    let high = episodes.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const { from, to } = episodes[mid]!;
      if (at < from) high = mid - 1;
      else if (at > to) low = mid + 1;
      else return true;
    }
    return false;
  };
}
