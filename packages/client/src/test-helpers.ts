import type { Message } from '@kefu/protocol';

/** Upper bound for awaiting an event: a failing test fails fast instead of hanging until Jest's timeout. */
export function within<T>(promise: Promise<T>, label: string, ms = 3_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Everything a client delivered through onMessage, with a way to await a given seq. */
export class MessageLog {
  readonly messages: Message[] = [];
  private readonly waiters: { seq: number; resolve: () => void }[] = [];

  constructor(client: { onMessage(listener: (message: Message) => void): () => void }) {
    client.onMessage((message) => {
      this.messages.push(message);
      for (const waiter of this.waiters.filter((w) => w.seq === message.seq)) waiter.resolve();
    });
  }

  get seqs(): number[] {
    return this.messages.map((m) => m.seq);
  }

  waitForSeq(seq: number): Promise<void> {
    if (this.messages.some((m) => m.seq === seq)) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.waiters.push({ seq, resolve })), `message seq ${seq}`);
  }
}
