/** A fresh clientMsgId; Web Crypto exists in browsers and in Node 20, so no node: import is needed. */
export function newClientMsgId(): string {
  return globalThis.crypto.randomUUID();
}
