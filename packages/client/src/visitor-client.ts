import type {
  Message,
  VisitorAuth,
  VisitorClientToServerEvents,
  VisitorCommand,
  VisitorConversation,
  VisitorInput,
  VisitorOutput,
  VisitorServerToClientEvents,
  VisitorSession,
} from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import { BaseClient } from './base-client.js';
import { KefuClientError } from './errors.js';
import { newClientMsgId } from './ids.js';
import { settingsFrom, type ClientOptions, type ClientSettings, type SendOptions } from './options.js';
import { openSocket } from './open-socket.js';

export type VisitorIdentity = NonNullable<VisitorAuth['identity']>;

export type VisitorClientOptions = ClientOptions & {
  inboxKey: string;
  /** Resumes a visitor from an earlier session (e.g. kept in localStorage). */
  visitorToken?: string;
  identity?: VisitorIdentity;
  /** For a client inside an iframe served by kefu's web app: the origin of the page around it. */
  hostOrigin?: string;
};

export type VisitorSendInput = {
  body: string;
  conversationId?: string;
  attachmentIds?: string[];
  /** Only to resume a send persisted before a page reload; otherwise one is generated. */
  clientMsgId?: string;
};

export type VisitorCommands = { [C in VisitorCommand]: { input: VisitorInput<C>; output: VisitorOutput<C> } };
export type VisitorSocket = Socket<VisitorServerToClientEvents, VisitorClientToServerEvents>;
export type VisitorSendResult = VisitorOutput<'message:send'>;

export class VisitorClient extends BaseClient<VisitorSession, VisitorCommands, VisitorServerToClientEvents> {
  private currentConversation: VisitorConversation | null = null;

  constructor(socket: Socket, settings: ClientSettings) {
    super(socket, settings);
    socket.on('conversation:updated', (conversation: VisitorConversation) => this.track(conversation));
  }

  get socket(): VisitorSocket {
    return this.raw;
  }

  /** The visitor's current conversation, from session, send acks and `conversation:updated`. */
  get conversation(): VisitorConversation | null {
    return this.currentConversation;
  }

  /** The token of the current visitor, once the first session arrived; keep it to resume later. */
  get visitorToken(): string | undefined {
    return this.session?.visitorToken;
  }

  /**
   * Sends through the outbox: one clientMsgId, resent until acked, across reconnections. Without a
   * conversationId it names the visitor's current conversation while that is not resolved, which lets
   * the server store the message in one statement; if an agent resolved it meanwhile (`conflict`), the
   * same message goes again without it and starts a new conversation.
   */
  async send(input: VisitorSendInput, options?: SendOptions): Promise<VisitorSendResult> {
    const payload: VisitorInput<'message:send'> = { ...input, clientMsgId: input.clientMsgId ?? newClientMsgId() };
    const current = this.currentConversation;
    const named = !payload.conversationId && current && current.status !== 'resolved' ? current.id : undefined;
    const data = await this.sendThroughOutbox<VisitorSendResult>('message:send', named ? { ...payload, conversationId: named } : payload, options).catch(
      (error: unknown) => {
        if (!named || !(error instanceof KefuClientError) || error.code !== 'conflict') throw error;
        return this.sendThroughOutbox<VisitorSendResult>('message:send', payload, options);
      },
    );
    this.track(data.conversation);
    return data;
  }

  protected override applySession(session: VisitorSession): void {
    // Reconnections must present this token, or the server would mint a new visitor and a resent
    // first message would no longer be recognised as a retry.
    this.raw.auth = { ...(this.raw.auth as VisitorAuth), visitorToken: session.visitorToken };
    const conversation = session.conversation;
    if (!conversation) return;
    this.track(conversation);
    // History before the session is the app's to load (conversation:history); stream what follows.
    if (!this.stream.hasSeen(conversation.id)) this.stream.watch(conversation.id, conversation.lastSeq);
  }

  // A conversation born during this session (the first message, or one after a resolve) is streamed
  // from its start; one the app unwatched on purpose stays unwatched.
  protected override shouldAutoWatch(message: Message): boolean {
    return !this.stream.hasSeen(message.conversationId);
  }

  private track(conversation: VisitorConversation): void {
    const current = this.currentConversation;
    // A visitor has one current conversation: an update of an older one must not replace a live one.
    if (!current || current.id === conversation.id || current.status === 'resolved') {
      this.currentConversation = conversation;
    }
  }
}

/** Connects a shopper to the `/visitor` namespace. */
export function connectVisitor(options: VisitorClientOptions): VisitorClient {
  const auth: VisitorAuth = { inboxKey: options.inboxKey };
  if (options.visitorToken) auth.visitorToken = options.visitorToken;
  if (options.identity) auth.identity = options.identity;
  if (options.hostOrigin) auth.hostOrigin = options.hostOrigin;
  const settings = settingsFrom(options);
  const client = new VisitorClient(openSocket(options, '/visitor', auth), settings);
  if (settings.autoConnect) client.connect();
  return client;
}
