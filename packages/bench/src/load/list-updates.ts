import * as parser from 'socket.io-parser';

/** A `conversation:activity` event as it arrives, in whatever namespace: type 2, `/agent,`, then its array. */
const LIST_UPDATE = /^2(?:\/[^,]*,)?\["conversation:activity",/;

let received = { frames: 0, chars: 0 };

/** Counts each list update and hands every other packet to Socket.IO's own decoder. */
class ListUpdateCountingDecoder extends parser.Decoder {
  override add(packet: unknown): void {
    if (typeof packet === 'string' && LIST_UPDATE.test(packet)) {
      received.frames++;
      received.chars += packet.length;
      return;
    }
    super.add(packet);
  }
}

/**
 * The Socket.IO parser (the client's `parser` option) for the simulated agents that stand for
 * dashboards of their own: they receive every `conversation:activity` frame (the server encodes and
 * writes each one, and the socket reads it whole) but do not parse it. A real agent's browser parses
 * only its own copy, about a millisecond per window at 3 000 msgs/s; fifty simulated agents in one
 * process parsed fifty copies in a row, and a message arriving meanwhile waited for all of them (fan-out
 * at 3 000 msgs/s: the load generator's own event loop late by up to 31 ms, docs/benchmarks.md,
 * twenty-fifth round). Every other event is decoded as usual. The agents' processes (agents.ts) count
 * what theirs receive and report it, which `addListUpdates` adds here.
 */
export const listUpdateCountingParser = { ...parser, Decoder: ListUpdateCountingDecoder };

/** Adds what an agents' process counted (agents.ts) to this process's count. */
export function addListUpdates(counted: { frames: number; chars: number }): void {
  received.frames += counted.frames;
  received.chars += counted.chars;
}

/** The list updates counted (not parsed) since the last call, and the count started over. */
export function takeListUpdates(): { frames: number; chars: number } {
  const taken = received;
  received = { frames: 0, chars: 0 };
  return taken;
}
