import type { Namespace } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import type { AdapterConstructor } from './encode-on-demand.js';

/** The sharded Redis adapter's entry for everything it receives (@socket.io/redis-adapter 8.3). */
type RawReceiver = { uid: string; onRawMessage(message: Buffer, channel: Buffer): void };

/**
 * A node subscribes to the channel of every room it has a socket in (the sharded adapter's dynamic
 * mode), so each broadcast it publishes to such a room comes back to it from Redis, and the adapter
 * parses the whole message only to find its own uid in it and drop it. On a shoppers' node that is
 * every message: a shopper's message goes to the shopper's room too (their other tabs). The cluster
 * adapter (socket.io-adapter 2.5) adds the uid and the namespace to a message last, so the JSON of
 * one of this node's messages ends with them: such a message is dropped unread. A message of
 * another node, in MessagePack, or in a layout a new version brings is handed on as before.
 */
export function dropOwnEchoes(Base: AdapterConstructor): AdapterConstructor {
  // A plain function: Socket.IO calls the adapter's constructor with `new`, and so does this.
  return function (nsp: Namespace) {
    const adapter = new (Base as typeof Adapter)(nsp);
    const receiver = adapter as unknown as RawReceiver;
    const receive = receiver.onRawMessage.bind(adapter);
    const ownEnding = Buffer.from(`,"uid":${JSON.stringify(receiver.uid)},"nsp":${JSON.stringify(nsp.name)}}`);
    receiver.onRawMessage = (message, channel) => {
      if (!endsWith(message, ownEnding)) receive(message, channel);
    };
    return adapter;
  };
}

const endsWith = (message: Buffer, ending: Buffer): boolean =>
  message.length > ending.length && message.compare(ending, 0, ending.length, message.length - ending.length) === 0;
