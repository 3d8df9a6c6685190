import { io, type Socket } from 'socket.io-client';

/**
 * A load-generator process of its own for idle sockets: one process may hold fewer than 20 000 open
 * files, so the capacity scenario spreads its shoppers over several of these. Told over IPC how many
 * sockets to open to which URL; answers with the time it took; closes them all on 'close'.
 */
type Open = { type: 'open'; url: string; count: number; auth: Record<string, unknown>; concurrency: number };
const sockets: Socket[] = [];

function openOne(url: string, auth: Record<string, unknown>): Promise<boolean> {
  const socket = io(`${url}/visitor`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('session', () => resolve(true));
    socket.once('connect_error', () => resolve(false));
  });
}

async function open(message: Open): Promise<void> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < message.count) {
      next++;
      if (!(await openOne(message.url, message.auth))) failed++;
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  process.send!({ type: 'opened', ms: performance.now() - started, failed });
}

process.on('message', (message: Open | { type: 'close' }) => {
  if (message.type === 'open') void open(message);
  else {
    sockets.forEach((s) => s.close());
    process.exit(0);
  }
});
