import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * The baseline: a bare Socket.IO relay with the same wire shape as kefu's hot path and nothing else
 * (no auth, no validation, no store, no Redis). Agents join conversation rooms; a shopper's
 * `message:send` is acked and forwarded to the conversation's room.
 */
type Send = { conversationId: string; clientMsgId: string; body: string };
type Ack = (result: { ok: true; data: Record<string, never> }) => void;

const http = createServer((request, response) => {
  response.writeHead(request.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ok":true}');
});
const io = new Server(http, { cors: { origin: true } });
const room = (conversationId: string) => `conv:${conversationId}`;

io.of('/agent').on('connection', (socket) => {
  socket.emit('session', {});
  socket.on('join', (conversationIds: string[], ack: Ack) => {
    void socket.join(conversationIds.map(room));
    ack({ ok: true, data: {} });
  });
});
io.of('/visitor').on('connection', (socket) => {
  socket.emit('session', {});
  socket.on('message:send', (send: Send, ack: Ack) => {
    ack({ ok: true, data: {} });
    io.of('/agent').to(room(send.conversationId)).emit('message:created', { conversationId: send.conversationId, clientMsgId: send.clientMsgId, body: send.body });
  });
});
http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => void io.close(() => process.exit(0)));
