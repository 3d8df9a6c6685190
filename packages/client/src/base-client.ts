import type { Message, Result } from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import { deferred } from './deferred.js';
import { closedError, errorFromConnectError, KefuClientError } from './errors.js';
import { HandshakeRetry } from './handshake-retry.js';
import { reconnectAfterServerDisconnect } from './kick-reconnect.js';
import { MessageStream, type MessageListener, type SyncPage } from './message-stream.js';
import type { ClientSettings, SendOptions } from './options.js';
import { sendUntilAcked } from './outbox.js';
import { requestWithRetry, type RequestOptions } from './request.js';
import { unavailable, unwrap } from './result.js';

/** Payload and ack data of each command of a namespace. */
export type CommandMap = Record<string, { input: unknown; output: unknown }>;

// Syncs run in the background and are idempotent, so they may retry a lost ack.
const syncRetries = 2;

/**
 * What visitor and agent clients share: session and ready(), typed requests, the outbox and the
 * ordered message stream. `Events` is the namespace's server-to-client event map.
 */
export abstract class BaseClient<Session, Commands extends CommandMap, Events> {
  protected readonly stream: MessageStream;
  protected readonly lifetime = new AbortController();
  private readonly firstSession = deferred<Session>();
  private readonly errorListeners = new Set<(error: unknown) => void>();
  private current: Session | null = null;

  constructor(
    protected readonly raw: Socket,
    protected readonly settings: ClientSettings,
  ) {
    this.stream = new MessageStream(
      (id, afterSeq) => this.fetchSyncPage(id, afterSeq),
      (error) => this.reportError(error),
    );
    this.listen();
  }

  /** The latest `session` payload, refreshed on every reconnection. */
  get session(): Session | null {
    return this.current;
  }

  get connected(): boolean {
    return this.raw.connected;
  }

  get closed(): boolean {
    return this.lifetime.signal.aborted;
  }

  /**
   * Resolves with the first `session`. Rejects with a KefuClientError (message = the server's code) on
   * a final handshake refusal (`unauthorized`, `forbidden`), or on close().
   *
   * Retryable failures do not reject it: a refusal with `unavailable` (a draining node) or `internal`
   * (a transient server failure), and transport failures (reported as `unavailable`), are followed by
   * another attempt, on the next of `urls` if any, and ready() keeps waiting for the session that
   * attempt brings. It rejects with `unavailable` only once the client stops trying: socket.io
   * reconnection disabled (`socketOptions.reconnection: false`) or `reconnectionAttempts` used up.
   * Bound the wait yourself if you need to (e.g. to show "cannot reach the server" after a while).
   */
  ready(): Promise<Session> {
    return this.firstSession.promise;
  }

  /** Connects; the factories call it unless `socketOptions.autoConnect` is false. */
  connect(): void {
    if (!this.closed) this.raw.connect();
  }

  request<C extends keyof Commands & string>(
    command: C,
    payload: Commands[C]['input'],
    options: RequestOptions = {},
  ): Promise<Result<Commands[C]['output']>> {
    if (this.closed) return Promise.resolve(unavailable('client closed'));
    const timeoutMs = options.timeoutMs ?? this.settings.requestTimeoutMs;
    return requestWithRetry(this.raw, command, payload, timeoutMs, options.retries ?? 0);
  }

  /** Like `request`, but returns the data and throws a KefuClientError on `ok: false`. */
  async call<C extends keyof Commands & string>(
    command: C,
    payload: Commands[C]['input'],
    options?: RequestOptions,
  ): Promise<Commands[C]['output']> {
    return unwrap(await this.request(command, payload, options));
  }

  /**
   * Streams a conversation's messages after `lastSeq` to onMessage. When connected it also syncs once,
   * for what was committed between the caller's snapshot and now.
   */
  watch(conversationId: string, lastSeq: number): Promise<void> {
    this.stream.watch(conversationId, lastSeq);
    return this.current && this.raw.connected ? this.stream.resync(conversationId) : Promise.resolve();
  }

  unwatch(conversationId: string): void {
    this.stream.unwatch(conversationId);
  }

  /** The last seq delivered for a watched conversation. */
  lastSeq(conversationId: string): number | undefined {
    return this.stream.lastSeqOf(conversationId);
  }

  /** Each message of the watched conversations, exactly once and in seq order per conversation. */
  onMessage(listener: MessageListener): () => void {
    return this.stream.onMessage(listener);
  }

  /** Failures of background work (syncs) and exceptions thrown by listeners. */
  onError(listener: (error: unknown) => void): () => void {
    this.errorListeners.add(listener);
    return () => {
      this.errorListeners.delete(listener);
    };
  }

  /** Raw server events. For `message:created`, prefer onMessage: it is deduplicated and ordered. */
  on<E extends keyof Events & string>(event: E, listener: Events[E]): () => void {
    // The raw socket is untyped inside the base class; the signature above carries the types.
    const name: string = event;
    const fn = listener as unknown as (...args: unknown[]) => void;
    this.raw.on(name, fn);
    return () => {
      this.raw.off(name, fn);
    };
  }

  close(): void {
    if (this.closed) return;
    this.lifetime.abort();
    this.firstSession.reject(closedError());
    this.raw.disconnect();
    this.stream.close();
    this.errorListeners.clear();
  }

  /** Runs a send through the outbox, then feeds the acked message to the stream before resolving. */
  protected async sendThroughOutbox<T extends { message: Message }>(
    command: string,
    payload: unknown,
    options: SendOptions = {},
  ): Promise<T> {
    const timing = {
      attemptTimeoutMs: options.ackTimeoutMs ?? this.settings.ackTimeoutMs,
      deadlineMs: options.deadlineMs ?? this.settings.sendDeadlineMs,
    };
    const data = (await sendUntilAcked(this.raw, command, payload, timing, this.lifetime.signal)) as T;
    await this.ingest(data.message);
    return data;
  }

  protected ingest(message: Message): Promise<void> {
    const id = message.conversationId;
    if (!this.stream.isWatched(id) && this.shouldAutoWatch(message)) this.stream.watch(id, 0);
    return this.stream.ingest(message);
  }

  /** Subclass hook: react to every `session` (first connect and each reconnection). */
  protected abstract applySession(session: Session): void;

  /** Subclass hook: whether a message of an unwatched conversation starts watching it from seq 0. */
  protected abstract shouldAutoWatch(message: Message): boolean;

  private listen(): void {
    this.raw.on('session', (session: Session) => this.handleSession(session));
    this.raw.on('message:created', (message: Message) => void this.ingest(message));
    const retry = new HandshakeRetry(this.raw, this.lifetime.signal);
    this.raw.on('connect_error', (error: Error) => {
      const failure = errorFromConnectError(error);
      if (!retry.afterConnectError(failure.code)) this.firstSession.reject(failure);
    });
    this.raw.io.on('reconnect_failed', () => {
      this.firstSession.reject(new KefuClientError('unavailable', 'gave up reconnecting'));
    });
    if (this.settings.reconnectAfterServerDisconnect) reconnectAfterServerDisconnect(this.raw, this.lifetime.signal);
  }

  private handleSession(session: Session): void {
    // Only what was watched before this session can have missed messages while we were away;
    // conversations the session itself introduces start from its own lastSeq.
    const missedWhileAway = this.stream.watchedIds();
    this.current = session;
    this.applySession(session);
    this.firstSession.resolve(session);
    void this.stream.resyncAll(missedWhileAway);
  }

  private async fetchSyncPage(conversationId: string, afterSeq: number): Promise<SyncPage> {
    const payload = { conversationId, afterSeq };
    const timeoutMs = this.settings.requestTimeoutMs;
    const result = await requestWithRetry(this.raw, 'conversation:sync', payload, timeoutMs, syncRetries);
    if (!result.ok) throw KefuClientError.fromBody(result.error);
    return result.data as SyncPage;
  }

  protected reportError(error: unknown): void {
    for (const listener of this.errorListeners) listener(error);
  }
}
