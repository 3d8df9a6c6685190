import type {
  AgentClientToServerEvents,
  AgentCommand,
  AgentInput,
  AgentOutput,
  AgentServerToClientEvents,
  AgentSession,
} from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import { BaseClient } from './base-client.js';
import { KefuClientError } from './errors.js';
import { newClientMsgId } from './ids.js';
import { settingsFrom, type ClientOptions, type SendOptions } from './options.js';
import { openSocket } from './open-socket.js';
import type { RequestOptions } from './request.js';

export type AgentClientOptions = ClientOptions & {
  /** From `POST /api/auth/login`. */
  token: string;
};

export type AgentSendInput = {
  conversationId: string;
  body: string;
  /** A private note: agents see it, visitors never do. */
  private?: boolean;
  attachmentIds?: string[];
  clientMsgId?: string;
};

export type AgentWhisperInput = { conversationId: string; body: string; clientMsgId?: string };
export type AgentWhisperResult = AgentOutput<'conversation:whisper'>;

export type AgentCommands = { [C in AgentCommand]: { input: AgentInput<C>; output: AgentOutput<C> } };
export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;
export type AgentSendResult = AgentOutput<'message:send'>;
export type AgentOpenResult = AgentOutput<'conversation:open'>;

export class AgentClient extends BaseClient<AgentSession, AgentCommands, AgentServerToClientEvents> {
  /** Conversations opened with open() and not left: re-opened after every reconnection. */
  private readonly opened = new Set<string>();

  get socket(): AgentSocket {
    return this.raw;
  }

  /** Sends through the outbox: one clientMsgId, resent until acked, across reconnections. */
  send(input: AgentSendInput, options?: SendOptions): Promise<AgentSendResult> {
    const payload: AgentInput<'message:send'> = { ...input, clientMsgId: input.clientMsgId ?? newClientMsgId() };
    return this.sendThroughOutbox<AgentSendResult>('message:send', payload, options);
  }

  /**
   * Supervision (admins): a private note for the agent holding the conversation, which pops up for
   * them (`whisper:received`). Like send(), one clientMsgId resent until acked, so it is stored once.
   */
  whisper(input: AgentWhisperInput, options?: SendOptions): Promise<AgentWhisperResult> {
    const payload: AgentInput<'conversation:whisper'> = { ...input, clientMsgId: input.clientMsgId ?? newClientMsgId() };
    return this.sendThroughOutbox<AgentWhisperResult>('conversation:whisper', payload, options);
  }

  /**
   * `conversation:open`, then watches the conversation from the last message it returned, so what
   * follows that snapshot reaches onMessage exactly once.
   */
  async open(conversationId: string, options?: RequestOptions): Promise<AgentOpenResult> {
    const data = await this.call('conversation:open', { conversationId }, options);
    this.opened.add(conversationId);
    const last = data.messages.at(-1)?.seq ?? 0;
    await this.watch(conversationId, last);
    return data;
  }

  /**
   * Closes what open() opened: stops re-opening and streaming the conversation, and sends
   * `conversation:leave` so this socket stops getting its room's events (`typing:changed`, …).
   */
  async leave(conversationId: string, options?: RequestOptions): Promise<void> {
    this.opened.delete(conversationId);
    this.unwatch(conversationId);
    // A disconnected socket is in no room, and the next session will not re-open this conversation.
    if (this.connected) await this.call('conversation:leave', { conversationId }, options);
  }

  /** The active agents of an inbox, with status, load and capacity: whom a conversation can be transferred to. */
  inboxAgents(inboxId: string, options?: RequestOptions): Promise<AgentOutput<'inbox:agents'>['agents']> {
    return this.call('inbox:agents', { inboxId }, options).then((data) => data.agents);
  }

  /** Hands a conversation to another agent of its inbox (`conversation:assign`). */
  transfer(conversationId: string, agentId: string, options?: RequestOptions): Promise<AgentOutput<'conversation:assign'>['conversation']> {
    return this.call('conversation:assign', { conversationId, agentId }, options).then((data) => data.conversation);
  }

  /** Conversations by shopper name, email or message text; pass the previous page's nextCursor for more. */
  search(query: string, page: { cursor?: string; limit?: number } = {}, options?: RequestOptions): Promise<AgentOutput<'conversation:search'>> {
    return this.call('conversation:search', { query, ...page }, options);
  }

  /** The conversations open() opened and leave() has not closed, in opening order. */
  get openConversations(): string[] {
    return [...this.opened];
  }

  // Room joins belong to a socket connection: after a reconnection (to this node or another) the
  // `conv:<id>` rooms of conversation:open are gone, and with them the visitor's `typing:changed`.
  // Open them again. Their messages are not needed: the session's resync covers what was missed.
  protected override applySession(): void {
    for (const conversationId of this.opened) void this.reopen(conversationId);
  }

  // Agents receive messages of every conversation of their inboxes; only opened ones are streamed.
  protected override shouldAutoWatch(): boolean {
    return false;
  }

  private async reopen(conversationId: string): Promise<void> {
    // conversation:open is idempotent (a room join and a read), so a lost ack may be retried.
    const result = await this.request('conversation:open', { conversationId }, { retries: 1 });
    if (result.ok) return;
    // Access lost while away (removed from the inbox, conversation gone): stop re-opening and streaming
    // it. Anything else (no ack, a draining node) is left to the next reconnection.
    if (result.error.code === 'not_found' || result.error.code === 'forbidden') {
      this.opened.delete(conversationId);
      this.unwatch(conversationId);
    }
    this.reportError(KefuClientError.fromBody(result.error));
  }
}

/** Connects an agent (or admin) to the `/agent` namespace. */
export function connectAgent(options: AgentClientOptions): AgentClient {
  const settings = settingsFrom(options);
  const client = new AgentClient(openSocket(options, '/agent', { token: options.token }), settings);
  if (settings.autoConnect) client.connect();
  return client;
}
