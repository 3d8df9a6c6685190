import { z } from 'zod';
import type { Result } from './errors.js';
import { limits } from './limits.js';
import {
  IdSchema,
  MessageSchema,
  VisitorConversationSchema,
  VisitorInfoSchema,
  WidgetColorSchema,
  WidgetLanguageSchema,
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

export const VisitorAuthSchema = z.object({
  inboxKey: z.string().min(1).max(limits.idLength),
  visitorToken: z.string().max(4_096).optional(),
  identity: z
    .object({
      externalId: z.string().min(1).max(limits.idLength * 2),
      name: z.string().max(limits.nameLength).optional(),
      email: z.string().max(limits.emailLength).optional(),
      hash: z.string().max(128),
    })
    .optional(),
  /**
   * Extension: the origin of the page that embeds the widget's iframe. Checked against the inbox's
   * allowed origins in place of the socket's Origin when that Origin is the desk's own web app.
   */
  hostOrigin: z.string().max(limits.urlLength).optional(),
});
export type VisitorAuth = z.infer<typeof VisitorAuthSchema>;

export const VisitorSessionSchema = z.object({
  visitorToken: z.string(),
  visitor: VisitorInfoSchema,
  inbox: z.object({
    id: z.string(),
    name: z.string(),
    greeting: z.string(),
    online: z.boolean(),
    maxMessageLength: z.number().int().positive(),
    csatEnabled: z.boolean(),
    livePreview: z.boolean().optional(),
    widgetColor: WidgetColorSchema.optional(),
    language: WidgetLanguageSchema.nullable().optional(),
  }),
  conversation: VisitorConversationSchema.nullable(),
});
export type VisitorSession = z.infer<typeof VisitorSessionSchema>;

/** An absolute http(s) URL: agents see it as a link, so `javascript:`, `data:` and the like never get in. */
export const WebUrlSchema = z
  .string()
  .max(limits.urlLength)
  .refine((text) => URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol), 'must be an http(s) URL');

const PageSchema = z.object({
  url: WebUrlSchema,
  title: z.string().max(limits.titleLength).optional(),
  // document.referrer is '' when there is none.
  referrer: z.union([z.literal(''), WebUrlSchema]).optional(),
});

/** Payload and ack-data schemas of every visitor command. */
export const visitorCommands = {
  'message:send': {
    input: z.object({
      clientMsgId: ClientMsgIdSchema,
      conversationId: IdSchema.optional(),
      body: BodySchema,
      attachmentIds: AttachmentIdsSchema.optional(),
    }),
    output: z.object({ message: MessageSchema, conversation: VisitorConversationSchema }),
  },
  'conversation:sync': { input: SyncInputSchema, output: SyncDataSchema },
  'conversation:history': { input: HistoryInputSchema, output: HistoryDataSchema },
  'typing:set': {
    input: z.object({
      conversationId: IdSchema,
      typing: z.boolean(),
      draft: z.string().max(limits.draftLength).optional(),
    }),
    output: EmptySchema,
  },
  'read:set': { input: ReadInputSchema, output: EmptySchema },
  'visitor:update': {
    input: z.object({
      name: z.string().trim().min(1).max(limits.nameLength).optional(),
      email: z.email().max(limits.emailLength).optional(),
      page: PageSchema.optional(),
    }),
    output: z.object({ visitor: VisitorInfoSchema }),
  },
  'csat:submit': {
    input: z.object({
      conversationId: IdSchema,
      rating: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
      comment: z.string().max(limits.commentLength).optional(),
    }),
    output: EmptySchema,
  },
} as const;

/** Schemas of every event the server emits to visitors. */
export const visitorServerEvents = {
  session: VisitorSessionSchema,
  'message:created': MessageSchema,
  'conversation:updated': VisitorConversationSchema,
  'typing:changed': TypingChangedSchema.omit({ draft: true }),
  'read:changed': ReadChangedSchema,
  'inbox:presence': z.object({ online: z.boolean() }),
} as const;

export type VisitorCommand = keyof typeof visitorCommands;
export type VisitorInput<C extends VisitorCommand> = z.input<(typeof visitorCommands)[C]['input']>;
export type VisitorParsed<C extends VisitorCommand> = z.output<(typeof visitorCommands)[C]['input']>;
export type VisitorOutput<C extends VisitorCommand> = z.infer<(typeof visitorCommands)[C]['output']>;

export type VisitorClientToServerEvents = {
  [C in VisitorCommand]: (payload: VisitorInput<C>, ack: (result: Result<VisitorOutput<C>>) => void) => void;
};
export type VisitorServerToClientEvents = {
  [E in keyof typeof visitorServerEvents]: (payload: z.infer<(typeof visitorServerEvents)[E]>) => void;
};
