// A small in-memory kefu server for the client's tests: just enough of PROTOCOL.md (sessions,
// idempotent message:send, conversation:sync, conversation:open/leave rooms, typing) over a real
// socket.io Server, plus knobs to lose acks and refuse handshakes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket } from 'socket.io';
import type {
  AgentClientToServerEvents,
  AgentConversation,
  AgentServerToClientEvents,
  Author,
  Message,
  Result,
  VisitorClientToServerEvents,
  VisitorConversation,
  VisitorServerToClientEvents,
} from '@kefu/protocol';

export const conversationId = 'c1';
export const agentToken = 'agent-token';
const agentAuthor: Author = { type: 'agent', id: 'a1', name: 'Ann' };

/** Survives server restarts, like a database shared by the nodes of a cluster. */
export type FakeStore = {
  messages: Message[];
  visitorsByToken: Map<string, string>;
  /** Every message:send payload received, retries included. */
  sends: { clientMsgId: string }[];
  syncs: { conversationId: string; afterSeq: number }[];
  handshakes: Record<string, unknown>[];
  /** Every agent conversation:open / conversation:leave, with the socket (connection) it came from. */
  opens: { conversationId: string; socketId: string }[];
  leaves: { conversationId: string; socketId: string }[];
  syncPageSize: number;
};

/** Per-node behaviour; mutable during a test. */
export type FakeBehaviour = {
  /** Broadcast message:created when a message is stored (default true). */
  broadcast?: boolean;
  /** Return 'drop' to withhold the ack of a just-stored message, as a node dying after commit would. */
  onStored?: (message: Message) => 'ack' | 'drop';
  /** false: store sends but never ack them, retries included (a node that hangs). */
  ackSends?: boolean;
  /** Number of conversation:sync acks to withhold. */
  dropSyncAcks?: number;
  /** Error codes to refuse the next handshakes with (either namespace), one per handshake, in order. */
  refuseHandshakes?: string[];
  /** conversation:open answers not_found, as for an agent removed from the inbox. */
  openNotFound?: boolean;
};

export type FakeServer = {
  io: Server;
  port: number;
  url: string;
  visitors: Namespace<VisitorClientToServerEvents, VisitorServerToClientEvents>;
  agents: Namespace<AgentClientToServerEvents, AgentServerToClientEvents>;
  /** The handshake `auth` of every attempt this node saw (either namespace), refused ones included. */
  handshakes: Record<string, unknown>[];
  close(): Promise<void>;
};

/** An onStored hook that withholds the acks of the first `count` stored messages, calling `then` each time. */
export function dropFirstAcks(count: number, then: () => void = () => undefined): FakeBehaviour['onStored'] {
  let left = count;
  return () => {
    if (left <= 0) return 'ack';
    left--;
    then();
    return 'drop';
  };
}

export function createFakeStore(): FakeStore {
  return {
    messages: [],
    visitorsByToken: new Map(),
    sends: [],
    syncs: [],
    handshakes: [],
    opens: [],
    leaves: [],
    syncPageSize: 200,
  };
}

/** Commits a message with the next seq, as the store would. */
export function appendMessage(
  store: FakeStore,
  body: string,
  author: Author = agentAuthor,
  clientMsgId: string | null = null,
): Message {
  const prevSeq = store.messages.length;
  const message: Message = {
    id: `m${prevSeq + 1}`,
    conversationId,
    seq: prevSeq + 1,
    prevSeq,
    clientMsgId,
    author,
    kind: 'text',
    body,
    attachments: [],
    createdAt: new Date().toISOString(),
  };
  store.messages.push(message);
  return message;
}

export async function startFakeServer(store: FakeStore, behaviour: FakeBehaviour = {}, port = 0): Promise<FakeServer> {
  const http = createServer();
  const io = new Server(http);
  const visitors = io.of('/visitor') as unknown as FakeServer['visitors'];
  const agents = io.of('/agent') as unknown as FakeServer['agents'];
  const handshakes: Record<string, unknown>[] = [];
  for (const nsp of [visitors, agents]) {
    nsp.use((socket, next) => {
      handshakes.push(socket.handshake.auth);
      const refusal = behaviour.refuseHandshakes?.shift();
      next(refusal ? new Error(refusal) : undefined);
    });
  }
  serveVisitors(visitors, agents, store, behaviour);
  serveAgents(agents, store, behaviour);
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const bound = (http.address() as AddressInfo).port;
  return { io, port: bound, url: `http://127.0.0.1:${bound}`, visitors, agents, handshakes, close: () => io.close() };
}

function serveVisitors(
  nsp: FakeServer['visitors'],
  agents: FakeServer['agents'],
  store: FakeStore,
  behaviour: FakeBehaviour,
): void {
  nsp.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    store.handshakes.push(auth);
    next(auth.inboxKey === 'demo' ? undefined : new Error('unauthorized'));
  });
  nsp.on('connection', (socket) => {
    const { token, visitorId } = identify(store, socket.handshake.auth.visitorToken);
    socket.emit('session', {
      visitorToken: token,
      visitor: { id: visitorId, name: null, email: null },
      inbox: { id: 'i1', name: 'Demo', greeting: 'Hi', online: true, maxMessageLength: 5_000, csatEnabled: false },
      conversation: visitorConversation(store),
    });
    socket.on('message:send', (payload, ack) => {
      const author: Author = { type: 'visitor', id: visitorId, name: null };
      const result = storeSend(store, behaviour, nsp, author, payload);
      if (result?.ok) ack({ ok: true, data: { message: result.data, conversation: visitorConversation(store)! } });
      else if (result) ack(result);
    });
    // Typing reaches the agents who opened the conversation (its room), as on the real server.
    socket.on('typing:set', ({ conversationId: id, typing }, ack) => {
      agents.to(conversationRoom(id)).emit('typing:changed', { conversationId: id, typing, name: null });
      ack({ ok: true, data: {} });
    });
    serveSync(socket, store, behaviour);
  });
}

export function conversationRoom(id: string): string {
  return `conv:${id}`;
}

function serveAgents(nsp: FakeServer['agents'], store: FakeStore, behaviour: FakeBehaviour): void {
  nsp.use((socket, next) => next(socket.handshake.auth.token === agentToken ? undefined : new Error('unauthorized')));
  nsp.on('connection', (socket) => {
    socket.emit('session', {
      agent: { id: 'a1', name: 'Ann', email: 'ann@kefu.local', role: 'agent', status: 'online', capacity: 5, load: 0 },
      inboxes: [{ id: 'i1', name: 'Demo' }],
    });
    socket.on('message:send', (payload, ack) => {
      if (payload.conversationId !== conversationId) return ack(notFound());
      const result = storeSend(store, behaviour, nsp, agentAuthor, payload);
      if (result?.ok) ack({ ok: true, data: { message: result.data } });
      else if (result) ack(result);
    });
    socket.on('conversation:open', ({ conversationId: id }, ack) => {
      store.opens.push({ conversationId: id, socketId: socket.id });
      if (id !== conversationId || behaviour.openNotFound) return ack(notFound());
      void socket.join(conversationRoom(id));
      ack({ ok: true, data: { conversation: agentConversation(store), visitor: visitorDetails, messages: store.messages, hasMore: false } });
    });
    socket.on('conversation:leave', ({ conversationId: id }, ack) => {
      store.leaves.push({ conversationId: id, socketId: socket.id });
      void socket.leave(conversationRoom(id));
      ack({ ok: true, data: {} });
    });
    serveSync(socket, store, behaviour);
  });
}

function identify(store: FakeStore, presented: unknown): { token: string; visitorId: string } {
  const known = typeof presented === 'string' ? store.visitorsByToken.get(presented) : undefined;
  if (known && typeof presented === 'string') return { token: presented, visitorId: known };
  const visitorId = `v${store.visitorsByToken.size + 1}`;
  const token = `token-${visitorId}`;
  store.visitorsByToken.set(token, visitorId);
  return { token, visitorId };
}

/** Returns what to ack, or null when the ack is withheld. Idempotent per sender and clientMsgId. */
function storeSend(
  store: FakeStore,
  behaviour: FakeBehaviour,
  nsp: { emit(event: 'message:created', message: Message): unknown },
  author: Author,
  payload: { clientMsgId: string; body: string },
): Result<Message> | null {
  store.sends.push({ clientMsgId: payload.clientMsgId });
  if (payload.body.trim() === '') return { ok: false, error: { code: 'bad_request', message: 'empty message' } };
  const original = store.messages.find((m) => m.clientMsgId === payload.clientMsgId && m.author.id === author.id);
  const message = original ?? appendMessage(store, payload.body, author, payload.clientMsgId);
  if (!original && behaviour.broadcast !== false) nsp.emit('message:created', message);
  if (behaviour.ackSends === false) return null;
  if (!original && behaviour.onStored?.(message) === 'drop') return null;
  return { ok: true, data: message };
}

// Both namespaces' sockets fit: conversation:sync has the same payload and ack in each.
type SyncSocket = Socket<Pick<VisitorClientToServerEvents, 'conversation:sync'>>;

function serveSync(socket: SyncSocket, store: FakeStore, behaviour: FakeBehaviour): void {
  socket.on('conversation:sync', ({ conversationId: id, afterSeq }, ack) => {
    store.syncs.push({ conversationId: id, afterSeq });
    if ((behaviour.dropSyncAcks ?? 0) > 0) {
      behaviour.dropSyncAcks = (behaviour.dropSyncAcks ?? 0) - 1;
      return;
    }
    if (id !== conversationId || store.messages.length === 0) return ack(notFound());
    const after = store.messages.filter((m) => m.seq > afterSeq);
    const messages = after.slice(0, store.syncPageSize);
    ack({ ok: true, data: { messages, lastSeq: store.messages.length, hasMore: after.length > messages.length } });
  });
}

function visitorConversation(store: FakeStore): VisitorConversation | null {
  if (store.messages.length === 0) return null;
  return {
    id: conversationId,
    status: 'open',
    assignee: null,
    lastSeq: store.messages.length,
    queue: null,
    createdAt: store.messages[0]?.createdAt ?? '',
  };
}

const visitorDetails = {
  id: 'v1',
  name: null,
  email: null,
  externalId: null,
  page: null,
  userAgent: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  pastConversations: [],
};

function agentConversation(store: FakeStore): AgentConversation {
  const last = store.messages.at(-1);
  const createdAt = store.messages[0]?.createdAt ?? '2025-01-01T00:00:00.000Z';
  return {
    id: conversationId,
    number: 1,
    inboxId: 'i1',
    status: 'open',
    assigneeId: 'a1',
    visitor: { id: 'v1', name: null, email: null },
    lastSeq: store.messages.length,
    lastMessage: last ? { body: last.body, authorType: last.author.type, createdAt: last.createdAt } : null,
    unread: 0,
    queuedAt: null,
    createdAt,
    updatedAt: last?.createdAt ?? createdAt,
  };
}

function notFound(): Result<never> {
  return { ok: false, error: { code: 'not_found', message: 'no such conversation' } };
}
