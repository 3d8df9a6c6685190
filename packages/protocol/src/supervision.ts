import { z } from 'zod';
import { limits } from './limits.js';
import { AgentConversationSchema, IdSchema, MessageSchema } from './shapes.js';
import { BodySchema, ClientMsgIdSchema } from './common-commands.js';

/**
 * The collision guard and supervision (issue 7): who else has a conversation open, and an admin's
 * whisper to the agent who holds it. Extensions of protocol version 1, additive.
 */

/** One agent or admin who has the conversation open on some socket, on any node. */
export const ViewerSchema = z.object({
  agentId: z.string(),
  name: z.string(),
  role: z.enum(['agent', 'admin']),
  /** They are writing in this conversation's composer now. */
  typing: z.boolean(),
});
export type Viewer = z.infer<typeof ViewerSchema>;

/** Sent to everyone who has the conversation open whenever that set (or someone's typing) changes. */
export const ConversationViewersSchema = z.object({
  conversationId: z.string(),
  viewers: z.array(ViewerSchema).max(limits.viewersListed),
});
export type ConversationViewers = z.infer<typeof ConversationViewersSchema>;

export const whisperCommand = {
  input: z.object({ conversationId: IdSchema, clientMsgId: ClientMsgIdSchema, body: BodySchema }),
  output: z.object({ message: MessageSchema }),
};

/** What pops up for the assignee: the stored whisper and the conversation it belongs to. */
export const WhisperReceivedSchema = z.object({
  conversation: AgentConversationSchema,
  message: MessageSchema,
});
export type WhisperReceived = z.infer<typeof WhisperReceivedSchema>;
