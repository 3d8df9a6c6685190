import { isInView, mergeMessages } from '@kefu/core';
import { connectAgent, type AgentClient } from '@kefu/client';
import type { AgentConversation, AgentOutput, AgentProfile, AgentSession, Attachment, CannedResponse, ConversationView, Message, Viewer, VisitorDetails, WhisperReceived } from '@kefu/protocol';
import { adminApi, type AdminApi } from './admin-api';
import { isWatching } from './collision';
import { uploadAttachment } from './upload';

/** What deserves a notification; the page words it in the agent's language. */
export type Attention = { kind: 'created' | 'message' | 'whisper'; name: string | null; body: string };
/** What the agent was writing in a conversation, and why it came back unsent (if it did). */
export type Draft = { text: string; mode: 'reply' | 'note' | 'whisper'; failure?: string };
export type OpenConversation = { conversation: AgentConversation; visitor: VisitorDetails; messages: Message[]; hasMore: boolean };

export type DeskState = {
  phase: 'connecting' | 'ready' | 'reconnecting' | 'signed-out';
  agent: AgentProfile | null;
  inboxes: AgentSession['inboxes'];
  view: ConversationView;
  inboxId: string | null;
  conversations: AgentConversation[];
  nextCursor: string | null;
  loadingList: boolean;
  open: OpenConversation | null;
  /** Who is typing in the open conversation (the shopper's name or an agent's), with the live draft when the inbox shows it. */
  typing: { name: string | null; draft?: string | undefined } | null;
  canned: CannedResponse[];
  /** The highest seq the shopper of the open conversation has read. */
  shopperReadSeq: number;
  /** Everyone with the open conversation open (me included), live across nodes: the collision guard. */
  viewers: Viewer[];
  /** Whispers from an admin not yet dismissed, newest last: they pop up whatever is open. */
  whispers: WhisperReceived[];
};

const initial: DeskState = {
  phase: 'connecting',
  agent: null,
  inboxes: [],
  view: 'mine',
  inboxId: null,
  conversations: [],
  nextCursor: null,
  loadingList: false,
  open: null,
  typing: null,
  canned: [],
  shopperReadSeq: 0,
  viewers: [],
  whispers: [],
};

const byActivity = (a: AgentConversation, b: AgentConversation) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id);

/**
 * The agent's side of the desk: one AgentClient (retries, gap detection, re-opening after reconnects)
 * turned into the state the dashboard renders. Lists follow `conversation:created/updated`; the open
 * conversation streams its messages through the SDK.
 */
export class DeskController {
  state: DeskState = initial;
  private client: AgentClient | null = null;
  private listRequest = 0;
  /** The conversation being opened: its first `conversation:viewers` comes before the open's answer. */
  private opening: string | null = null;
  /**
   * Its messages that come while it opens, after the snapshot the open returns (the SDK's catch-up
   * sync, or live ones): the stream hands each over once, so they join the snapshot when it lands.
   */
  private openingMessages: Message[] = [];
  /** Counts select()s: an open that answers after a later select() is not shown. */
  private openAttempt = 0;
  private readonly listeners = new Set<(state: DeskState) => void>();
  /** Drafts by conversation, kept while the agent looks at other conversations (this tab only). */
  private readonly drafts = new Map<string, Draft>();

  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
  ) {}

  subscribe(listener: (state: DeskState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    const client = connectAgent({ url: this.serverUrl, token: this.token, socketOptions: { reconnectionDelayMax: 5_000 } });
    this.client = client;
    client.on('session', (session) => {
      this.update({ phase: 'ready', agent: session.agent, inboxes: session.inboxes });
      void this.loadList();
      void client.call('canned:list', {}).then(({ responses }) => this.update({ canned: responses }));
    });
    client.socket.on('disconnect', () => this.update({ phase: 'reconnecting' }));
    client.ready().catch(() => this.update({ phase: 'signed-out' }));
    client.on('conversation:created', (conversation) => this.upsert(conversation));
    client.on('conversation:updated', (conversation) => this.upsert(conversation));
    // Conversations the agent neither holds nor has open arrive as coalesced activity rows. A row is
    // the conversation as it was when its window began (up to 200 ms ago, and per node): one older
    // than what a conversation:updated or an ack already gave (a read mark's row arriving after a
    // claim) would put the old assignee back, so it is dropped.
    client.on('conversation:activity', ({ conversations }) => {
      for (const row of conversations) {
        const known = this.state.conversations.find((c) => c.id === row.id);
        if (known && row.updatedAt >= known.updatedAt) this.upsert({ ...known, ...row });
      }
    });
    client.on('agent:updated', (profile) => profile.id === this.state.agent?.id && this.update({ agent: profile }));
    client.on('typing:changed', (event) => {
      // A colleague's typing shows in the viewers bar (conversation:viewers), not as the shopper's.
      if (event.conversationId !== this.state.open?.conversation.id || event.agentId) return;
      this.update({ typing: event.typing ? { name: event.name, draft: event.draft } : null });
    });
    client.on('read:changed', (event) => {
      if (event.by === 'visitor' && event.conversationId === this.state.open?.conversation.id) this.update({ shopperReadSeq: Math.max(this.state.shopperReadSeq, event.seq) });
    });
    client.on('conversation:viewers', ({ conversationId, viewers }) => {
      if (conversationId === (this.opening ?? this.state.open?.conversation.id)) this.update({ viewers });
    });
    client.on('whisper:received', (whisper) => {
      if (!this.state.whispers.some((w) => w.message.id === whisper.message.id)) this.update({ whispers: [...this.state.whispers, whisper] });
    });
    client.onMessage((message) => this.onMessage(message));
  }

  /** Attachment URLs are paths on the server. */
  attachmentUrl(path: string): string {
    return new URL(path, this.serverUrl).href;
  }

  stop(): void {
    this.client?.close();
  }

  async setView(view: ConversationView, inboxId: string | null = this.state.inboxId): Promise<void> {
    this.update({ view, inboxId, conversations: [], nextCursor: null });
    await this.loadList();
  }

  /**
   * Loads the first page of the current view, or with `more` the next one. A newer load (the agent
   * switched views meanwhile) makes an older one's answer obsolete rather than being skipped.
   */
  async loadList(more = false): Promise<void> {
    const client = this.client;
    if (!client || (more && this.state.loadingList)) return;
    const request = ++this.listRequest;
    const { view, inboxId, nextCursor } = this.state;
    this.update({ loadingList: true });
    try {
      const page = await client.call('conversation:list', {
        view,
        limit: 50,
        ...(inboxId ? { inboxId } : {}),
        ...(more && nextCursor ? { cursor: nextCursor } : {}),
      });
      if (request !== this.listRequest) return;
      const known = more ? this.state.conversations : [];
      const merged = new Map([...known, ...page.conversations].map((c) => [c.id, c]));
      this.update({ conversations: [...merged.values()].sort(byActivity), nextCursor: page.nextCursor });
    } finally {
      if (request === this.listRequest) this.update({ loadingList: false });
    }
  }

  async select(conversationId: string): Promise<void> {
    const client = this.requireClient();
    const previous = this.state.open?.conversation.id;
    if (previous === conversationId || this.opening === conversationId) return;
    if (previous) void client.leave(previous);
    // Viewers of the previous conversation are stale; the server sends this one's once it is joined.
    this.update({ viewers: [] });
    const attempt = ++this.openAttempt;
    this.opening = conversationId;
    this.openingMessages = [];
    const opened = await client.open(conversationId).catch((error: unknown) => {
      if (attempt === this.openAttempt) this.opening = null;
      throw error;
    });
    if (attempt !== this.openAttempt) {
      // Another conversation was chosen while this one opened: that one is shown, and this one is left
      // unless it is being opened (or shown) again.
      if (conversationId !== this.opening && conversationId !== this.state.open?.conversation.id) void client.leave(conversationId);
      return;
    }
    this.opening = null;
    const messages = mergeMessages(opened.messages, this.openingMessages);
    this.openingMessages = [];
    this.update({ open: { ...opened, messages }, typing: null, shopperReadSeq: 0, whispers: this.state.whispers.filter((w) => w.conversation.id !== conversationId) });
    this.markRead();
  }

  async loadEarlier(): Promise<void> {
    const open = this.state.open;
    const first = open?.messages[0];
    if (!open || !first) return;
    const page = await this.requireClient().call('conversation:history', { conversationId: open.conversation.id, beforeSeq: first.seq, limit: 50 });
    if (this.state.open?.conversation.id !== open.conversation.id) return;
    this.update({ open: { ...this.state.open, messages: [...page.messages, ...this.state.open.messages], hasMore: page.hasMore } });
  }

  async send(body: string, note: boolean, attachments: Attachment[] = []): Promise<void> {
    const open = this.state.open;
    if (!open) return;
    const attachmentIds = attachments.map((a) => a.id);
    await this.requireClient().send({ conversationId: open.conversation.id, body, ...(note ? { private: true } : {}), ...(attachmentIds.length ? { attachmentIds } : {}) });
  }

  draftOf(conversationId: string): Draft | undefined {
    return this.drafts.get(conversationId);
  }

  keepDraft(conversationId: string, draft: Draft): void {
    if (draft.text === '' && !draft.failure) this.drafts.delete(conversationId);
    else this.drafts.set(conversationId, draft);
  }

  /** POST /api/uploads with this agent's token: an attachment for the next message. */
  upload(file: File): Promise<Attachment> {
    return uploadAttachment(this.serverUrl, this.token, file);
  }

  /** The agents of an inbox with status, load and capacity: whom the open conversation can go to. */
  colleagues(inboxId: string): Promise<AgentProfile[]> {
    return this.requireClient().inboxAgents(inboxId);
  }

  search(query: string, cursor?: string): Promise<AgentOutput<'conversation:search'>> {
    return this.requireClient().search(query, cursor ? { cursor } : {});
  }

  /** The admin HTTP API with this session's token (its routes answer admins only). */
  adminApi(): AdminApi {
    return adminApi(this.serverUrl, this.token);
  }

  /** Supervision: an admin's private word to the agent holding the open conversation. */
  async whisper(body: string): Promise<void> {
    const open = this.state.open;
    if (open) await this.requireClient().whisper({ conversationId: open.conversation.id, body });
  }

  dismissWhisper(messageId: string): void {
    this.update({ whispers: this.state.whispers.filter((w) => w.message.id !== messageId) });
  }

  async assign(agentId: string | null): Promise<void> {
    const open = this.state.open;
    if (!open) return;
    const { conversation } = await this.requireClient().call('conversation:assign', { conversationId: open.conversation.id, agentId });
    this.upsert(conversation);
  }

  async setStatus(status: 'open' | 'snoozed' | 'resolved', snoozeUntil?: string): Promise<void> {
    const open = this.state.open;
    if (!open) return;
    const { conversation } = await this.requireClient().call('conversation:set-status', { conversationId: open.conversation.id, status, ...(snoozeUntil ? { snoozeUntil } : {}) });
    this.upsert(conversation);
  }

  async setPresence(status: 'online' | 'away'): Promise<void> {
    const { agent } = await this.requireClient().call('agent:set-status', { status });
    this.update({ agent });
  }

  setTyping(typing: boolean): void {
    const open = this.state.open;
    if (open && this.client?.connected) void this.client.request('typing:set', { conversationId: open.conversation.id, typing });
  }

  private markRead(): void {
    const open = this.state.open;
    const last = open?.messages.at(-1);
    // An admin watching someone else's conversation leaves its unread marks to that agent.
    if (open && isWatching(open.conversation, this.state.agent)) return;
    if (open && last && this.client?.connected) void this.client.request('read:set', { conversationId: open.conversation.id, seq: last.seq });
  }

  private onMessage(message: Message): void {
    if (message.conversationId === this.opening) return void this.openingMessages.push(message);
    const open = this.state.open;
    if (!open || message.conversationId !== open.conversation.id) return;
    if (open.messages.some((m) => m.seq === message.seq)) return;
    const fromVisitor = message.author.type === 'visitor';
    this.update({ open: { ...open, messages: mergeMessages(open.messages, [message]) }, ...(fromVisitor ? { typing: null } : {}) });
    if (typeof document === 'undefined' || !document.hidden) this.markRead();
  }

  /** Moves the selection `step` rows down (or up) the list, for the keyboard shortcuts. */
  selectNext(step: 1 | -1): void {
    const list = this.state.conversations;
    const index = list.findIndex((c) => c.id === this.state.open?.conversation.id);
    const next = list[index === -1 ? 0 : Math.min(list.length - 1, Math.max(0, index + step))];
    if (next) void this.select(next.id);
  }

  /**
   * Listens for what deserves a notification: a new conversation, or a shopper writing in one not on
   * screen. A shopper's message reaches a conversation's followers twice (`message:created` at once,
   * the list row in `conversation:activity` within its window) and the others once, as the row: each
   * message is announced once, by whichever comes first. A row may come after a newer message has
   * (list rows can be late), so only a message newer than the last one announced is announced.
   */
  onAttention(listener: (what: Attention) => void): () => void {
    const client = this.requireClient();
    const announced = new Map<string, string>(); // conversation → createdAt of the shopper message last announced
    const shopperWrote = (conversationId: string, createdAt: string, what: Attention) => {
      if (createdAt <= (announced.get(conversationId) ?? '')) return;
      announced.set(conversationId, createdAt);
      if (conversationId !== this.state.open?.conversation.id || document.hidden) listener(what);
    };
    const offCreated = client.on('conversation:created', (c) => listener({ kind: 'created', name: null, body: c.lastMessage?.body ?? `#${c.number}` }));
    const offWhisper = client.on('whisper:received', (w) => listener({ kind: 'whisper', name: w.message.author.name, body: w.message.body }));
    const offMessage = client.on('message:created', (m) => {
      if (m.author.type === 'visitor') shopperWrote(m.conversationId, m.createdAt, { kind: 'message', name: m.author.name, body: m.body });
    });
    const offActivity = client.on('conversation:activity', ({ conversations }) => {
      for (const row of conversations) {
        const last = row.lastMessage;
        if (last?.authorType === 'visitor' && row.unread > 0) shopperWrote(row.id, last.createdAt, { kind: 'message', name: null, body: last.body });
      }
    });
    return () => {
      offCreated();
      offWhisper();
      offMessage();
      offActivity();
    };
  }

  /** A conversation changed: it moves to the top of the list it belongs in, and leaves the others. */
  private upsert(conversation: AgentConversation): void {
    const agentId = this.state.agent?.id ?? '';
    const rest = this.state.conversations.filter((c) => c.id !== conversation.id);
    const fits = isInView(conversation, this.state.view, agentId) && (!this.state.inboxId || conversation.inboxId === this.state.inboxId);
    const open = this.state.open?.conversation.id === conversation.id ? { ...this.state.open, conversation } : this.state.open;
    this.update({ conversations: fits ? [conversation, ...rest].sort(byActivity) : rest, open });
  }

  private requireClient(): AgentClient {
    if (!this.client) throw new Error('desk not started');
    return this.client;
  }

  private update(patch: Partial<DeskState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }
}
