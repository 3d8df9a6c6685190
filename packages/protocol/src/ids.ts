/**
 * A UUID that starts with the time (version 7, RFC 9562): its random bits and variant behind 48 bits of
 * milliseconds and the version, 7. Ids of a later millisecond sort after those of an earlier one (within
 * one, in random order), so an index keyed by them grows at its end instead of at a random page
 * (messages' ids, clientMsgIds: docs/benchmarks.md). Built on randomUUID, whose randomness Node pools
 * (the `uuid` package's v7 took 5 µs an id there, randomUUID 0.1 to 0.3); Web Crypto exists in browsers
 * and in Node 20, so no node: import is needed.
 */
export function timeOrderedUuid(): string {
  const random = globalThis.crypto.randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
  const ms = Date.now().toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}
