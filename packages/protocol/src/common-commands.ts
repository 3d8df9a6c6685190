import { z } from 'zod';
import { limits } from './limits.js';
import { IdSchema, MessageSchema } from './shapes.js';

/** Commands both namespaces share, with the same payload and ack. */
export const SyncInputSchema = z.object({
  conversationId: IdSchema,
  afterSeq: z.number().int().nonnegative(),
});
export const SyncDataSchema = z.object({
  messages: z.array(MessageSchema),
  lastSeq: z.number().int().nonnegative(),
  hasMore: z.boolean(),
});

export const HistoryInputSchema = z.object({
  conversationId: IdSchema,
  beforeSeq: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(limits.historyMaxLimit).optional(),
});
export const HistoryDataSchema = z.object({ messages: z.array(MessageSchema), hasMore: z.boolean() });

export const ReadInputSchema = z.object({ conversationId: IdSchema, seq: z.number().int().nonnegative() });
export const EmptySchema = z.object({});

export const ClientMsgIdSchema = z.string().min(1).max(limits.clientMsgIdLength);
/** Body before trimming; the inbox limit (too_large) is checked after trimming, by the server. */
export const BodySchema = z.string().max(limits.bodyRawMax);
export const AttachmentIdsSchema = z.array(IdSchema).max(limits.attachmentsPerMessage);

export const TypingChangedSchema = z.object({
  conversationId: z.string(),
  typing: z.boolean(),
  name: z.string().nullable(),
  draft: z.string().optional(),
  /** Extension: set when an agent (this agent id) types, absent for the visitor. */
  agentId: z.string().optional(),
});
export const ReadChangedSchema = z.object({
  conversationId: z.string(),
  seq: z.number().int().nonnegative(),
  /** Extension: who read. */
  by: z.enum(['visitor', 'agent']).optional(),
});
