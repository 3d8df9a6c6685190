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

export type AgentCommands = { [C in AgentCommand]: { input: AgentInput<C>; output: AgentOutput<C> } };
export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;
export type AgentSendResult = AgentOutput<'message:send'>;
export type AgentOpenResult = AgentOutput<'conversation:open'>;

export class AgentClient extends BaseClient<AgentSession, AgentCommands, AgentServerToClientEvents> {
  get socket(): AgentSocket {
    return this.raw as unknown as AgentSocket;
  }

  /** Sends through the outbox: one clientMsgId, resent until acked, across reconnections. */
  send(input: AgentSendInput, options?: SendOptions): Promise<AgentSendResult> {
    const payload: AgentInput<'message:send'> = { ...input, clientMsgId: input.clientMsgId ?? newClientMsgId() };
    return this.sendThroughOutbox<AgentSendResult>('message:send', payload, options);
  }

  /**
   * `conversation:open`, then watches the conversation from the last message it returned, so what
   * follows that snapshot reaches onMessage exactly once.
   */
  async open(conversationId: string, options?: RequestOptions): Promise<AgentOpenResult> {
    const data = await this.call('conversation:open', { conversationId }, options);
    const last = data.messages.at(-1)?.seq ?? 0;
    await this.watch(conversationId, last);
    return data;
  }

  protected override applySession(): void {}

  // Agents receive messages of every conversation of their inboxes; only opened ones are streamed.
  protected override shouldAutoWatch(): boolean {
    return false;
  }
}

/** Connects an agent (or admin) to the `/agent` namespace. */
export function connectAgent(options: AgentClientOptions): AgentClient {
  const settings = settingsFrom(options);
  const client = new AgentClient(openSocket(options, '/agent', { token: options.token }), settings);
  if (settings.autoConnect) client.connect();
  return client;
}
