import { timeOrderedUuid } from '@kefu/protocol';

/**
 * A fresh clientMsgId. Time-ordered: the store's unique key on a sender's clientMsgIds begins with
 * the id, so each new message's entry goes to the end of that index (docs/benchmarks.md).
 */
export const newClientMsgId = (): string => timeOrderedUuid();
