import { z } from 'zod';
import { limits } from './limits.js';
import { AgentConversationSchema, AgentProfileSchema, IdSchema, IsoTimeSchema } from './shapes.js';

/**
 * Agent commands of the dashboard's tools (transfer targets, search), kept apart from agent.ts so the
 * core command set stays readable; `agentCommands` includes them.
 */

/** Why a conversation matched a search: the shopper's name or email, or one of its messages. */
export const SearchMatchSchema = z.object({
  field: z.enum(['name', 'email', 'message']),
  /** The matching text as plain text (a message body is cut to `limits.searchSnippetLength`). */
  text: z.string(),
  /** The matching message (field `message`), to scroll to; null for name and email. */
  messageId: z.string().nullable(),
  seq: z.number().int().positive().nullable(),
  createdAt: IsoTimeSchema,
});
export type SearchMatch = z.infer<typeof SearchMatchSchema>;

export const SearchHitSchema = z.object({ conversation: AgentConversationSchema, match: SearchMatchSchema });
export type SearchHit = z.infer<typeof SearchHitSchema>;

/** A search query: at least one letter or digit, which is what the full-text indexes hold. */
export const SearchQuerySchema = z
  .string()
  .trim()
  .min(1, 'query: empty')
  .max(limits.searchQueryLength)
  .refine((q) => /[\p{L}\p{N}]/u.test(q), 'query: needs a letter or a digit');

export const deskToolCommands = {
  /** The agents of an inbox (transfer targets), with status, load and capacity. Members and admins. */
  'inbox:agents': {
    input: z.object({ inboxId: IdSchema }),
    output: z.object({ agents: z.array(AgentProfileSchema) }),
  },
  /**
   * Conversations of the inboxes the agent may see whose shopper's name or email, or a message
   * (notes included; agents see them), matches. The first page starts with the shopper matches;
   * the pages after it continue the message matches, newest first.
   */
  'conversation:search': {
    input: z.object({
      query: SearchQuerySchema,
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(limits.searchMaxLimit).optional(),
    }),
    output: z.object({ results: z.array(SearchHitSchema), nextCursor: z.string().nullable() }),
  },
} as const;
