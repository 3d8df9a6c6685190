import { forward, relayBase } from './relay-base.js';

/**
 * The baseline: a bare Socket.IO relay with the same wire shape as kefu's hot path and nothing else
 * (no auth, no validation, no store, no Redis). Agents join conversation rooms; a shopper's
 * `message:send` is acked and forwarded to the conversation's room.
 */
const { io, listen } = relayBase((send, ack) => {
  ack({ ok: true, data: {} });
  forward(io, send);
});
listen();
process.on('SIGTERM', () => void io.close(() => process.exit(0)));
