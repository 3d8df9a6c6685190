import type { Namespace } from 'socket.io';
import type { Adapter, BroadcastOptions } from 'socket.io-adapter';
import type { AdapterConstructor } from './encode-on-demand.js';

/** Sockets a paced broadcast writes to in one turn of the event loop. */
export const SOCKETS_PER_TURN = 10;

type Write = (socket: Recipient) => void;
type Recipient = { connected: boolean };
/** The two steps of socket.io-adapter's local broadcast (2.5), as in encode-on-demand.ts. */
type BroadcastSteps = {
  _encode(packet: { data?: unknown[] }, packetOpts: object): unknown[];
  apply(opts: BroadcastOptions, callback: Write): void;
};
type Pacer = { queue: { sockets: Recipient[]; write: Write }[]; drained: Promise<void>; done: () => void };

const pacers = new WeakMap<Adapter, Pacer>();

/**
 * A broadcast of one of `events` is written to this node's sockets `SOCKETS_PER_TURN` at a time, one
 * turn of the event loop each, instead of to all of them in one go. A list-update part to an inbox's 50
 * agents held one node's event loop for a millisecond (docs/benchmarks.md, the forty-first round), and
 * the messages that came in meanwhile waited. Paced broadcasts keep their order among themselves (one
 * queue per adapter); others may pass them, so only events that clients already treat as possibly late
 * belong here (`conversation:activity`: a row older than what the list holds is dropped). A socket that
 * has gone in the meantime is skipped. Whom a broadcast reaches is still decided when it is sent.
 */
export function paceWrites(Base: AdapterConstructor, events: ReadonlySet<string>): AdapterConstructor {
  // A plain function: Socket.IO calls the adapter's constructor with `new`, and so does this.
  return function (nsp: Namespace) {
    const adapter = new (Base as typeof Adapter)(nsp);
    pace(adapter, events);
    return adapter;
  };
}

/** Resolves when every paced write this namespace's adapter has queued is written (before it closes). */
export function pacedWritesDone(nsp: Namespace): Promise<void> {
  return pacers.get(nsp.adapter)?.drained ?? Promise.resolve();
}

function pace(adapter: Adapter, events: ReadonlySet<string>): void {
  const steps = adapter as unknown as BroadcastSteps;
  const encode = steps._encode.bind(adapter);
  const apply = steps.apply.bind(adapter);
  const pacer: Pacer = { queue: [], drained: Promise.resolve(), done: () => {} };
  pacers.set(adapter, pacer);
  // `_encode` and the `apply` that writes its result run back to back, in one synchronous call.
  let paced = false;
  steps._encode = (packet, packetOpts) => {
    paced = typeof packet.data?.[0] === 'string' && events.has(packet.data[0]);
    return encode(packet, packetOpts);
  };
  steps.apply = (opts, write) => {
    if (!paced) return apply(opts, write);
    paced = false;
    const sockets: Recipient[] = [];
    apply(opts, (socket) => sockets.push(socket));
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
      if (socket.connected) head.write(socket);
      budget--;
    }
    if (head.sockets.length === 0) pacer.queue.shift();
  }
  // setImmediate queued from a check-phase callback runs on the next turn, after its I/O.
  if (pacer.queue.length > 0) setImmediate(() => writeTurn(pacer));
  else pacer.done();
}
