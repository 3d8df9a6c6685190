import { connectVisitor, newClientMsgId, type VisitorClient, type VisitorIdentity } from '@kefu/client';
import { mergeMessages } from '@kefu/core';
import type { Attachment, Message, VisitorConversation, VisitorSession } from '@kefu/protocol';
import type { PageInfo } from '../shared/bridge.js';
import { initialState, type ChatState, type PendingMessage } from './chat-state.js';
import type { StoredSend, WidgetStorage } from './storage.js';
import { isVisible } from './timeline.js';

export type ControllerOptions = {
  serverUrl: string;
  inboxKey: string;
  hostOrigin: string | undefined;
  storage: WidgetStorage;
};

const historyPage = 30;
// A shopper's own client does not keep a send pending forever: after this it is marked "Not sent".
const sendDeadlineMs = 120_000;

/**
 * The shopper's side of the chat: one VisitorClient (retries, gap detection, sync after reconnect)
 * turned into a ChatState that the UI renders. Every change goes through `update`.
 */
export class ChatController {
  state: ChatState = initialState;
  private client: VisitorClient | null = null;
  private readonly listeners = new Set<(state: ChatState) => void>();
  private page: PageInfo | null = null;
  private identity: VisitorIdentity | null = null;
  /** The clientMsgIds this tab has held (sent, or taken from the outbox to resend): its part of the outbox. */
  private readonly heldHere = new Set<string>();

  constructor(private readonly options: ControllerOptions) {}

  subscribe(listener: (state: ChatState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects as the stored visitor (or the identified customer), and resends what a reload interrupted. */
  start(): void {
    this.client?.close();
    const { serverUrl, inboxKey, hostOrigin, storage } = this.options;
    const token = storage.token();
    const client = connectVisitor({
      url: serverUrl,
      inboxKey,
      ...(this.identity ? { identity: this.identity } : token ? { visitorToken: token } : {}),
      ...(hostOrigin ? { hostOrigin } : {}),
      sendDeadlineMs,
      socketOptions: { reconnectionDelayMax: 5_000 },
    });
    this.client = client;
    client.on('session', (session) => void this.onSession(client, session));
    client.on('conversation:updated', () => this.onConversation(client.conversation));
    client.on('typing:changed', (event) => {
      if (event.conversationId === this.state.conversation?.id) this.update({ typing: event.typing ? (event.name ?? '') : null });
    });
    client.on('read:changed', (event) => {
      if (event.conversationId === this.state.conversation?.id) this.update({ agentReadSeq: Math.max(this.state.agentReadSeq, event.seq) });
    });
    client.on('inbox:presence', ({ online }) => this.state.inbox && this.update({ inbox: { ...this.state.inbox, online } }));
    client.socket.on('disconnect', () => this.update({ phase: 'reconnecting', typing: null }));
    client.onMessage((message) => this.onMessage(message));
    client.ready().catch(() => this.client === client && this.update({ phase: 'refused' }));
  }

  stop(): void {
    this.client?.close();
    this.client = null;
  }

  setOpen(open: boolean): void {
    this.update({ open });
    if (open) this.markRead();
  }

  /** A verified identity from the host page: the chat reconnects as that customer. */
  identify(identity: VisitorIdentity): void {
    if (this.identity?.externalId === identity.externalId && this.identity.hash === identity.hash) return;
    this.identity = identity;
    this.update({ ...initialState, open: this.state.open, pending: this.state.pending });
    this.start();
  }

  /** Another tab of the shop got a visitor token: share its visitor unless this tab has its own chat. */
  adoptToken(token: string | null): void {
    const session = this.client?.session;
    if (!token || this.identity || !session || session.visitorToken === token) return;
    if (this.state.conversation || this.state.pending.length > 0) return;
    this.start();
  }

  trackPage(page: PageInfo): void {
    this.page = page;
    if (this.client?.connected) void this.client.request('visitor:update', { page });
  }

  async send(body: string, attachments: Attachment[] = []): Promise<void> {
    const pending: PendingMessage = { clientMsgId: newClientMsgId(), body, attachments, createdAt: new Date().toISOString(), failed: false };
    this.update({ pending: [...this.state.pending, pending] });
    this.persistOutbox();
    await this.deliver(pending);
  }

  retry(clientMsgId: string): Promise<void> {
    const pending = this.state.pending.find((p) => p.clientMsgId === clientMsgId);
    if (!pending) return Promise.resolve();
    this.replacePending({ ...pending, failed: false });
    return this.deliver({ ...pending, failed: false });
  }

  /** The away form: who the shopper is, then their message, which waits in the queue for an agent. */
  async leaveMessage(name: string, email: string, body: string): Promise<void> {
    await this.requireClient().call('visitor:update', { name, email });
    this.update({ leftAwayMessage: true });
    await this.send(body);
  }

  async loadEarlier(): Promise<void> {
    const conversation = this.state.conversation;
    const first = this.state.messages[0];
    if (!conversation || !first || this.state.loadingEarlier) return;
    this.update({ loadingEarlier: true });
    try {
      const page = await this.requireClient().call('conversation:history', { conversationId: conversation.id, beforeSeq: first.seq, limit: historyPage });
      this.update({ messages: mergeMessages(this.state.messages, page.messages.filter(isVisible)), hasEarlier: page.hasMore });
    } finally {
      this.update({ loadingEarlier: false });
    }
  }

  /** The shopper is writing: the chat stays on screen from now on (ChatState.composing). */
  noteComposing(): void {
    if (!this.state.composing) this.update({ composing: true });
  }

  setTyping(typing: boolean, draft?: string): void {
    const conversation = this.state.conversation;
    if (!conversation || conversation.status === 'resolved' || !this.client?.connected) return;
    const preview = this.state.inbox?.livePreview && typing && draft !== undefined ? { draft: draft.slice(0, 5_000) } : {};
    void this.client.request('typing:set', { conversationId: conversation.id, typing, ...preview });
  }

  async rate(rating: 1 | 2 | 3 | 4 | 5, comment: string): Promise<void> {
    const conversation = this.state.conversation;
    if (!conversation) return;
    await this.requireClient().call('csat:submit', { conversationId: conversation.id, rating, ...(comment.trim() ? { comment: comment.trim() } : {}) });
    this.options.storage.setRated(conversation.id);
    this.update({ rated: true });
  }

  /** The shopper sees the chat: everything up to the last message counts as read, here and in other tabs. */
  markRead(): void {
    const conversation = this.state.conversation;
    const last = this.state.messages.at(-1);
    if (!conversation || !last || !this.state.open || last.seq <= this.state.readSeq) return;
    this.update({ readSeq: last.seq });
    this.options.storage.setReadSeq(conversation.id, last.seq);
    if (this.client?.connected) void this.client.request('read:set', { conversationId: conversation.id, seq: last.seq });
  }

  /** Another tab read the conversation. */
  readElsewhere(seq: number): void {
    if (seq > this.state.readSeq) this.update({ readSeq: seq });
  }

  get visitorToken(): string | undefined {
    return this.client?.visitorToken;
  }

  private async onSession(client: VisitorClient, session: VisitorSession): Promise<void> {
    if (client !== this.client) return;
    this.options.storage.setToken(session.visitorToken);
    this.update({ phase: 'ready', inbox: session.inbox, visitor: session.visitor });
    if (this.page) void client.request('visitor:update', { page: this.page });
    const conversation = client.conversation;
    if (conversation && conversation.id !== this.state.conversation?.id) await this.showConversation(client, conversation);
    else this.onConversation(conversation);
    this.resendStored();
  }

  /** Shows a conversation from its latest page. Messages shown before any conversation was known are its first ones. */
  private async showConversation(client: VisitorClient, conversation: VisitorConversation): Promise<void> {
    const storage = this.options.storage;
    const messages = this.state.conversation ? [] : this.state.messages.filter((m) => m.conversationId === conversation.id);
    this.update({ conversation, messages, hasEarlier: false, agentReadSeq: 0, readSeq: storage.readSeq(conversation.id), rated: storage.rated(conversation.id) });
    const page = await client.call('conversation:history', { conversationId: conversation.id, limit: historyPage });
    if (client !== this.client || this.state.conversation?.id !== conversation.id) return;
    this.update({ messages: mergeMessages(this.state.messages, page.messages.filter(isVisible)), hasEarlier: page.hasMore });
    this.markRead();
  }

  private onConversation(conversation: VisitorConversation | null): void {
    if (!conversation || !this.client) return;
    if (conversation.id !== this.state.conversation?.id) {
      void this.showConversation(this.client, conversation);
      return;
    }
    this.update({ conversation });
  }

  private onMessage(message: Message): void {
    const client = this.client;
    if (!client || !isVisible(message)) return;
    const current = this.state.conversation;
    if (current && message.conversationId !== current.id) {
      // A new conversation after a resolved one: show it from its start.
      if (client.conversation?.id === message.conversationId) void this.showConversation(client, client.conversation);
      return;
    }
    const fromShop = message.author.type !== 'visitor';
    this.update({
      messages: mergeMessages(this.state.messages, [message]),
      pending: this.state.pending.filter((p) => p.clientMsgId !== message.clientMsgId),
      ...(fromShop ? { typing: null } : {}),
    });
    this.markRead();
  }

  private async deliver(pending: PendingMessage): Promise<void> {
    const client = this.requireClient();
    try {
      const { conversation } = await client.send({
        body: pending.body,
        clientMsgId: pending.clientMsgId,
        ...(pending.attachments.length ? { attachmentIds: pending.attachments.map((a) => a.id) } : {}),
      });
      this.update({ pending: this.state.pending.filter((p) => p.clientMsgId !== pending.clientMsgId) });
      this.persistOutbox();
      if (conversation.id !== this.state.conversation?.id) this.onConversation(conversation);
    } catch {
      this.replacePending({ ...pending, failed: true });
    }
  }

  private replacePending(next: PendingMessage): void {
    this.update({ pending: this.state.pending.map((p) => (p.clientMsgId === next.clientMsgId ? next : p)) });
  }

  /**
   * Unsent messages survive a reload: the next page resends them with the same clientMsgId (idempotent).
   * Every tab of the shop shares the one outbox, so a tab rewrites only its own part of it: another
   * tab's unsent messages stay until that tab has them acked (or a later page resends them).
   */
  private persistOutbox(): void {
    const own: StoredSend[] = this.state.pending.map(({ clientMsgId, body, attachments, createdAt }) => ({ clientMsgId, body, attachments, createdAt }));
    own.forEach((send) => this.heldHere.add(send.clientMsgId));
    const others = this.options.storage.outbox().filter((send) => !this.heldHere.has(send.clientMsgId));
    this.options.storage.setOutbox([...others, ...own]);
  }

  private resendStored(): void {
    const known = new Set(this.state.pending.map((p) => p.clientMsgId));
    const stored = this.options.storage.outbox().filter((s) => !known.has(s.clientMsgId));
    for (const send of stored) {
      this.heldHere.add(send.clientMsgId);
      const pending: PendingMessage = { ...send, failed: false };
      this.update({ pending: [...this.state.pending, pending] });
      void this.deliver(pending);
    }
  }

  private requireClient(): VisitorClient {
    if (!this.client) throw new Error('chat not started');
    return this.client;
  }

  private update(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }
}
