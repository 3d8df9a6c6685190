import type { Message } from '@kefu/protocol';

/**
 * A conversation's messages as a client shows them: `incoming` added to `current`, sorted by seq, each
 * seq once (a re-delivered message replaces nothing). The widget's timeline and the dashboard's open
 * conversation both keep their lists this way.
 */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const message of current) bySeq.set(message.seq, message);
  for (const message of incoming) if (!bySeq.has(message.seq)) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
