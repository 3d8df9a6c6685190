import type { Namespace } from 'socket.io';
import type { Adapter, BroadcastOptions } from 'socket.io-adapter';

/** What `Server#adapter` takes: the adapter's class, or a function that builds one for a namespace. */
export type AdapterConstructor = typeof Adapter | ((nsp: Namespace) => Adapter);
type Encoded = unknown[];
/**
 * The two steps of socket.io-adapter's local broadcast (2.5): `_encode` the packet once (its JSON and
 * its WebSocket frame), then `apply` a write of it to each socket the broadcast reaches on this node.
 */
type BroadcastSteps = {
  _encode(packet: unknown, packetOpts: object): Encoded;
  apply(opts: BroadcastOptions, callback: (socket: unknown) => void): void;
};

/**
 * Socket.IO's adapters encode a broadcast before they look for the sockets it reaches on this node.
 * Most of a shoppers' node's broadcasts reach none there: a shopper's message goes to agents on other
 * nodes and to the shopper's other tabs, which are rare. With this, a broadcast is encoded when its
 * first socket on this node is found, so one that reaches none costs no JSON and no frame; whom it
 * reaches is still the adapter's own choice, and the broadcast to other nodes is untouched.
 */
export function encodeOnDemand(Base: AdapterConstructor): AdapterConstructor {
  // A plain function: Socket.IO calls the adapter's constructor with `new`, and so does this.
  return function (nsp: Namespace) {
    return encodeForFirstRecipient(new (Base as typeof Adapter)(nsp));
  };
}

function encodeForFirstRecipient(adapter: Adapter): Adapter {
  const steps = adapter as unknown as BroadcastSteps;
  const encode = steps._encode.bind(adapter);
  const apply = steps.apply.bind(adapter);
  // `_encode` and the `apply` that writes its result run back to back, in one synchronous call.
  let pending: { packet: unknown; packetOpts: object; encoded: Encoded } | undefined;
  steps._encode = (packet, packetOpts) => {
    pending = { packet, packetOpts, encoded: [] };
    return pending.encoded;
  };
  steps.apply = (opts, callback) => {
    const broadcast = pending;
    pending = undefined;
    if (!broadcast) return apply(opts, callback);
    let encoded = false;
    apply(opts, (socket) => {
      if (!encoded) {
        broadcast.encoded.push(...encode(broadcast.packet, broadcast.packetOpts));
        encoded = true;
      }
      callback(socket);
    });
  };
  return adapter;
}
