import { z } from 'zod';
import type { Result } from './errors.js';
import { limits } from './limits.js';
import {
  AgentConversationSchema,
  ConversationActivitySchema,
  AgentProfileSchema,
  CannedResponseSchema,
  IdSchema,
  MessageSchema,
  VisitorDetailsSchema,
} from './shapes.js';
import {
  AttachmentIdsSchema,
  BodySchema,
  ClientMsgIdSchema,
  EmptySchema,
  HistoryDataSchema,
  HistoryInputSchema,
  ReadChangedSchema,
  ReadInputSchema,
  SyncDataSchema,
  SyncInputSchema,
  TypingChangedSchema,
} from './common-commands.js';
import { ConversationViewersSchema, WhisperReceivedSchema, whisperCommand } from './supervision.js';
import { deskToolCommands } from './desk-tools.js';

export const AgentAuthSchema = z.object({ token: z.string().min(1).max(4_096) });

export const AgentSessionSchema = z.object({
  agent: AgentProfileSchema,
  inboxes: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type AgentSession = z.infer<typeof AgentSessionSchema>;

export const ConversationViewSchema = z.enum(['mine', 'unassigned', 'all', 'resolved']);
export type ConversationView = z.infer<typeof ConversationViewSchema>;

export const QueuedItemSchema = z.object({
  conversationId: z.string(),
  number: z.number().int(),
  inboxId: z.string(),
  visitorName: z.string().nullable(),
  position: z.number().int().positive(),
  priority: z.number().int(),
  queuedAt: z.string(),
  waitingSec: z.number().int().nonnegative(),
  estimatedWaitSec: z.number().int().nonnegative().nullable(),
});
export type QueuedItem = z.infer<typeof QueuedItemSchema>;

export const QueueStatsSchema = z.object({
  queued: z.number().int().nonnegative(),
  open: z.number().int().nonnegative(),
  snoozed: z.number().int().nonnegative(),
  agentsOnline: z.number().int().nonnegative(),
  longestWaitSec: z.number().int().nonnegative(),
  perInbox: z.array(
    z.object({ inboxId: z.string(), name: z.string(), queued: z.number().int(), open: z.number().int() }),
  ),
});

export const QueueSnapshotSchema = z.object({
  queued: z.array(QueuedItemSchema),
  agents: z.array(AgentProfileSchema),
  stats: QueueStatsSchema,
});
export type QueueSnapshot = z.infer<typeof QueueSnapshotSchema>;

/** Payload and ack-data schemas of every agent command. */
export const agentCommands = {
  'agent:set-status': {
    input: z.object({ status: z.enum(['online', 'away']) }),
    output: z.object({ agent: AgentProfileSchema }),
  },
  'conversation:list': {
    input: z.object({
      view: ConversationViewSchema,
      inboxId: IdSchema.optional(),
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(limits.listMaxLimit).optional(),
    }),
    output: z.object({ conversations: z.array(AgentConversationSchema), nextCursor: z.string().nullable() }),
  },
  'conversation:open': {
    input: z.object({ conversationId: IdSchema }),
    output: z.object({
      conversation: AgentConversationSchema,
      visitor: VisitorDetailsSchema,
      messages: z.array(MessageSchema),
      hasMore: z.boolean(),
    }),
  },
  'conversation:leave': { input: z.object({ conversationId: IdSchema }), output: EmptySchema },
  'message:send': {
    input: z.object({
      conversationId: IdSchema,
      clientMsgId: ClientMsgIdSchema,
      body: BodySchema,
      private: z.boolean().optional(),
      attachmentIds: AttachmentIdsSchema.optional(),
    }),
    output: z.object({ message: MessageSchema }),
  },
  'conversation:sync': { input: SyncInputSchema, output: SyncDataSchema },
  'conversation:history': { input: HistoryInputSchema, output: HistoryDataSchema },
  'conversation:assign': {
    input: z.object({ conversationId: IdSchema, agentId: IdSchema.nullable() }),
    output: z.object({ conversation: AgentConversationSchema }),
  },
  'conversation:set-status': {
    input: z.object({
      conversationId: IdSchema,
      status: z.enum(['open', 'snoozed', 'resolved']),
      snoozeUntil: z.iso.datetime({ offset: true }).optional(),
    }),
    output: z.object({ conversation: AgentConversationSchema }),
  },
  'typing:set': { input: z.object({ conversationId: IdSchema, typing: z.boolean() }), output: EmptySchema },
  'read:set': { input: ReadInputSchema, output: EmptySchema },
  'canned:list': { input: EmptySchema, output: z.object({ responses: z.array(CannedResponseSchema) }) },
  'queue:snapshot': { input: z.object({ inboxId: IdSchema.optional() }), output: QueueSnapshotSchema },
  /** Extension (supervision): admins only; a private note for the conversation's assignee. */
  'conversation:whisper': whisperCommand,
  ...deskToolCommands,
} as const;

/** Schemas of every event the server emits to agents. */
export const agentServerEvents = {
  session: AgentSessionSchema,
  'conversation:created': AgentConversationSchema,
  'conversation:updated': AgentConversationSchema,
  'conversation:activity': ConversationActivitySchema,
  'message:created': MessageSchema,
  'typing:changed': TypingChangedSchema,
  'read:changed': ReadChangedSchema,
  'agent:updated': AgentProfileSchema,
  'queue:updated': QueueSnapshotSchema,
  /** Extension (collision guard): who has this conversation open. */
  'conversation:viewers': ConversationViewersSchema,
  /** Extension (supervision): an admin whispered to you. */
  'whisper:received': WhisperReceivedSchema,
} as const;

export type AgentCommand = keyof typeof agentCommands;
export type AgentInput<C extends AgentCommand> = z.input<(typeof agentCommands)[C]['input']>;
export type AgentParsed<C extends AgentCommand> = z.output<(typeof agentCommands)[C]['input']>;
export type AgentOutput<C extends AgentCommand> = z.infer<(typeof agentCommands)[C]['output']>;

export type AgentClientToServerEvents = {
  [C in AgentCommand]: (payload: AgentInput<C>, ack: (result: Result<AgentOutput<C>>) => void) => void;
};
export type AgentServerToClientEvents = {
  [E in keyof typeof agentServerEvents]: (payload: z.infer<(typeof agentServerEvents)[E]>) => void;
};
