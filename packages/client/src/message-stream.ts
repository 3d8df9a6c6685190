import type { Message } from '@kefu/protocol';
import { SerialQueue } from './serial-queue.js';

export type SyncPage = { messages: Message[]; lastSeq: number; hasMore: boolean };
/** Fetches messages after `afterSeq`; throws when the server cannot answer. */
export type SyncFn = (conversationId: string, afterSeq: number) => Promise<SyncPage>;
export type MessageListener = (message: Message) => void;

type Watch = { lastSeq: number; queue: SerialQueue };

/**
 * Turns an at-least-once, possibly gappy feed of messages (broadcasts, send acks, syncs) into an
 * exactly-once, seq-ordered stream per watched conversation (PROTOCOL.md, "Ordering"). Everything
 * touching one conversation runs through its own queue, so at most one sync is in flight for it and
 * a broadcast is never delivered ahead of the sync that fills the gap before it.
 */
export class MessageStream {
  private readonly watches = new Map<string, Watch>();
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<MessageListener>();

  constructor(
    private readonly sync: SyncFn,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** Starts tracking a conversation whose messages up to `lastSeq` the caller already has. No-op if watched. */
  watch(conversationId: string, lastSeq: number): void {
    this.seen.add(conversationId);
    if (!this.watches.has(conversationId)) {
      this.watches.set(conversationId, { lastSeq, queue: new SerialQueue() });
    }
  }

  unwatch(conversationId: string): void {
    this.watches.delete(conversationId);
  }

  isWatched(conversationId: string): boolean {
    return this.watches.has(conversationId);
  }

  /** Whether this conversation was ever watched, even if it no longer is. */
  hasSeen(conversationId: string): boolean {
    return this.seen.has(conversationId);
  }

  lastSeqOf(conversationId: string): number | undefined {
    return this.watches.get(conversationId)?.lastSeq;
  }

  watchedIds(): string[] {
    return [...this.watches.keys()];
  }

  onMessage(listener: MessageListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Feeds one message in. Never rejects: sync failures go to reportError and the next sync retries. */
  ingest(message: Message): Promise<void> {
    const watch = this.watches.get(message.conversationId);
    if (!watch) return Promise.resolve();
    return this.enqueue(watch, () => this.apply(message.conversationId, watch, message));
  }

  /** Fetches whatever was missed since lastSeq (after a reconnect, or to close a race on watch). */
  resync(conversationId: string): Promise<void> {
    const watch = this.watches.get(conversationId);
    if (!watch) return Promise.resolve();
    return this.enqueue(watch, () => this.catchUp(conversationId, watch));
  }

  async resyncAll(conversationIds: string[] = this.watchedIds()): Promise<void> {
    await Promise.all(conversationIds.map((id) => this.resync(id)));
  }

  close(): void {
    this.watches.clear();
    this.listeners.clear();
  }

  private enqueue(watch: Watch, task: () => Promise<void>): Promise<void> {
    return watch.queue.run(task).catch((error: unknown) => this.reportError(error));
  }

  private async apply(conversationId: string, watch: Watch, message: Message): Promise<void> {
    if (!this.isCurrent(conversationId, watch) || message.seq <= watch.lastSeq) return;
    if (message.prevSeq > watch.lastSeq) {
      // The sync returns this message too, in order, so nothing is left to do with it afterwards.
      await this.catchUp(conversationId, watch);
      return;
    }
    this.deliver(watch, message);
  }

  private async catchUp(conversationId: string, watch: Watch): Promise<void> {
    let hasMore = true;
    while (hasMore && this.isCurrent(conversationId, watch)) {
      const page = await this.sync(conversationId, watch.lastSeq);
      if (!this.isCurrent(conversationId, watch)) return;
      for (const message of page.messages) {
        if (message.seq > watch.lastSeq) this.deliver(watch, message);
      }
      // An empty page claiming more would loop forever; the next gap or reconnect will try again.
      hasMore = page.hasMore && page.messages.length > 0;
    }
  }

  // lastSeq only ever advances by delivered messages, never by a page's `lastSeq`: a message committed
  // between the server's two reads would otherwise be skipped for good.
  private deliver(watch: Watch, message: Message): void {
    watch.lastSeq = message.seq;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.reportError(error);
      }
    }
  }

  private isCurrent(conversationId: string, watch: Watch): boolean {
    return this.watches.get(conversationId) === watch;
  }
}
