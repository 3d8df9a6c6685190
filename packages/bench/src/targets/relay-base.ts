import { createServer } from 'node:http';
import { Server } from 'socket.io';

/** What the relays take from a shopper's `message:send`, and their ack. */
export type Send = { conversationId: string; clientMsgId: string; body: string };
export type Ack = (result: { ok: true; data: Record<string, never> }) => void;

const room = (conversationId: string) => `conv:${conversationId}`;

/**
 * The relays' shared wire shape, as kefu's hot path has it: an HTTP server answering /healthz, agents
 * that join conversation rooms (`join`), shoppers whose `message:send` goes to `onSend`. Both
 * namespaces greet a socket with `session`, as kefu's do. Call `listen` once ready.
 */
export function relayBase(onSend: (send: Send, ack: Ack) => void): { io: Server; listen(): void } {
  const http = createServer((request, response) => {
    response.writeHead(request.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const io = new Server(http, { cors: { origin: true } });
  io.of('/agent').on('connection', (socket) => {
    socket.emit('session', {});
    socket.on('join', (conversationIds: string[], ack: Ack) => {
      void socket.join(conversationIds.map(room));
      ack({ ok: true, data: {} });
    });
  });
  io.of('/visitor').on('connection', (socket) => {
    socket.emit('session', {});
    socket.on('message:send', onSend);
  });
  return { io, listen: () => void http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1') };
}

/** The message to its conversation's room, where its agent is. */
export function forward(io: Server, send: Send): void {
  io.of('/agent').to(room(send.conversationId)).emit('message:created', { conversationId: send.conversationId, clientMsgId: send.clientMsgId, body: send.body });
}
