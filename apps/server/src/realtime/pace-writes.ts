import type { Namespace } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import type { AdapterConstructor, BroadcastSteps } from './encode-on-demand.js';

/** Sockets a paced broadcast writes to in one turn of the event loop. */
export const SOCKETS_PER_TURN = 10;

type Write = (socket: unknown) => void;
type Recipient = { connected: boolean };
type Pacer = { queue: { sockets: Recipient[]; write: Write }[]; drained: Promise<void>; done: () => void; onError: (err: unknown) => void };

const pacers = new WeakMap<Adapter, Pacer>();

/**
 * A broadcast of one of `events` is written to this node's sockets `SOCKETS_PER_TURN` at a time, one
 * turn of the event loop each, instead of to all of them in one go. A list-update part to an inbox's 50
 * agents held one node's event loop for a millisecond (docs/benchmarks.md, the forty-first round), and
 * the messages that came in meanwhile waited. Paced broadcasts keep their order among themselves (one
 * queue per adapter); others may pass them, so only events that clients already treat as possibly late
 * belong here (`conversation:activity`: a row older than what the list holds is dropped). A socket that
 * has gone in the meantime is skipped. Whom a broadcast reaches is still decided when it is sent.
 * Broadcasts that wait for acknowledgements are not paced (their count of sockets is read at once), nor
 * is anything when connection state recovery is on (a skipped write would be a packet the client's
 * offset has passed).
 */
export function paceWrites(Base: AdapterConstructor, events: ReadonlySet<string>, onError: (err: unknown) => void): AdapterConstructor {
  // A plain function: Socket.IO calls the adapter's constructor with `new`, and so does this.
  return function (nsp: Namespace) {
    const adapter = new (Base as typeof Adapter)(nsp);
    if (!nsp.server._opts.connectionStateRecovery) pace(adapter, events, onError);
    return adapter;
  };
}

/**
 * Resolves when every paced write this namespace's adapter has queued is written. On several nodes a
 * broadcast reaches this node's sockets only once its publish to Redis has returned, so one sent just
 * before may not be queued yet.
 */
export function pacedWritesDone(nsp: Namespace): Promise<void> {
  return pacers.get(nsp.adapter)?.drained ?? Promise.resolve();
}

function pace(adapter: Adapter, events: ReadonlySet<string>, onError: (err: unknown) => void): void {
  const steps = adapter as unknown as BroadcastSteps;
  const encode = steps._encode.bind(adapter);
  const apply = steps.apply.bind(adapter);
  const pacer: Pacer = { queue: [], drained: Promise.resolve(), done: () => {}, onError };
  pacers.set(adapter, pacer);
  // `_encode` and the `apply` that writes its result run back to back, in one synchronous call.
  let paced = false;
  steps._encode = (packet, packetOpts) => {
    const encoded = encode(packet, packetOpts);
    paced = packet.id === undefined && typeof packet.data?.[0] === 'string' && events.has(packet.data[0]);
    return encoded;
  };
  steps.apply = (opts, write) => {
    if (!paced) return apply(opts, write);
    paced = false;
    const sockets: Recipient[] = [];
    apply(opts, (socket) => sockets.push(socket as Recipient));
    if (sockets.length === 0) return;
    const idle = pacer.queue.length === 0;
    pacer.queue.push({ sockets, write });
    if (idle) {
      pacer.drained = new Promise((resolve) => (pacer.done = resolve));
      writeTurn(pacer);
    }
  };
}

/** Writes the next `SOCKETS_PER_TURN` sockets of the queue, and leaves the rest to the next turn. */
function writeTurn(pacer: Pacer): void {
  let budget = SOCKETS_PER_TURN;
  while (budget > 0 && pacer.queue.length > 0) {
    const head = pacer.queue[0]!;
    for (const socket of head.sockets.splice(0, budget)) {
      budget--;
      if (!socket.connected) continue;
      // One socket's failed write must not stop the others', nor the queue.
      try {
        head.write(socket);
      } catch (err) {
        pacer.onError(err);
      }
    }
    if (head.sockets.length === 0) pacer.queue.shift();
  }
  // setImmediate queued from a check-phase callback runs on the next turn, after its I/O.
  if (pacer.queue.length > 0) setImmediate(() => writeTurn(pacer));
  else pacer.done();
}
