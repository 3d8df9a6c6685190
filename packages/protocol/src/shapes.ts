import { z } from 'zod';
import { BusinessHoursSchema } from './business-hours.js';
import { limits } from './limits.js';

export const IdSchema = z.string().min(1).max(limits.idLength);
export const IsoTimeSchema = z.string();

export const AuthorTypeSchema = z.enum(['visitor', 'agent', 'system']);
export const AuthorSchema = z.object({
  type: AuthorTypeSchema,
  id: z.string().nullable(),
  name: z.string().nullable(),
  avatarUrl: z.string().optional(),
});
export type Author = z.infer<typeof AuthorSchema>;

export const AttachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number().int(),
  url: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const MessageKindSchema = z.enum(['text', 'event', 'note']);
export type MessageKind = z.infer<typeof MessageKindSchema>;

export const MessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  prevSeq: z.number().int().nonnegative(),
  clientMsgId: z.string().nullable(),
  author: AuthorSchema,
  kind: MessageKindSchema,
  body: z.string(),
  attachments: z.array(AttachmentSchema),
  createdAt: IsoTimeSchema,
  /** Extension (supervision): on a whisper (a `note` an admin wrote for the assignee), that agent's id. */
  whisperTo: z.string().optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const ConversationStatusSchema = z.enum(['queued', 'open', 'snoozed', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;

export const QueueInfoSchema = z.object({
  position: z.number().int().positive(),
  estimatedWaitSec: z.number().int().nonnegative().nullable(),
});
export type QueueInfo = z.infer<typeof QueueInfoSchema>;

export const VisitorConversationSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'open', 'resolved']),
  assignee: z.object({ name: z.string(), avatarUrl: z.string().optional() }).nullable(),
  lastSeq: z.number().int().nonnegative(),
  queue: QueueInfoSchema.nullable(),
  createdAt: IsoTimeSchema,
});
export type VisitorConversation = z.infer<typeof VisitorConversationSchema>;

export const AgentConversationSchema = z.object({
  id: z.string(),
  number: z.number().int().positive(),
  inboxId: z.string(),
  status: ConversationStatusSchema,
  assigneeId: z.string().nullable(),
  visitor: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
  lastSeq: z.number().int().nonnegative(),
  lastMessage: z
    .object({ body: z.string(), authorType: AuthorTypeSchema, createdAt: IsoTimeSchema })
    .nullable(),
  unread: z.number().int().nonnegative(),
  queuedAt: IsoTimeSchema.nullable(),
  createdAt: IsoTimeSchema,
  updatedAt: IsoTimeSchema,
  /** Extension: when a snoozed conversation wakes up by itself. */
  snoozeUntil: IsoTimeSchema.nullable().optional(),
  /** Extension: priority in the queue (higher first). */
  priority: z.number().int().optional(),
});
export type AgentConversation = z.infer<typeof AgentConversationSchema>;

/**
 * The lean list row of `conversation:activity`: what a conversation list needs to re-sort and show a
 * preview, without the visitor and the queue details of a full AgentConversation.
 */
export const ConversationActivityItemSchema = z.object({
  id: z.string(),
  status: ConversationStatusSchema,
  assigneeId: z.string().nullable(),
  lastSeq: z.number().int().nonnegative(),
  /** The body is cut to `limits.activityPreviewLength` characters. */
  lastMessage: z.object({ body: z.string(), authorType: AuthorTypeSchema, createdAt: IsoTimeSchema }).nullable(),
  unread: z.number().int().nonnegative(),
  updatedAt: IsoTimeSchema,
});
export type ConversationActivityItem = z.infer<typeof ConversationActivityItemSchema>;

/** Coalesced list updates of one inbox: each conversation once, in its latest state. */
export const ConversationActivitySchema = z.object({ inboxId: z.string(), conversations: z.array(ConversationActivityItemSchema) });
export type ConversationActivity = z.infer<typeof ConversationActivitySchema>;

export const AgentRoleSchema = z.enum(['agent', 'admin']);
export type AgentRole = z.infer<typeof AgentRoleSchema>;
export const PresenceStatusSchema = z.enum(['online', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

export const AgentProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: AgentRoleSchema,
  status: PresenceStatusSchema,
  capacity: z.number().int().nonnegative(),
  load: z.number().int().nonnegative(),
  /** Extension: a deactivated agent cannot log in and gets no conversations. */
  active: z.boolean().optional(),
  avatarUrl: z.string().optional(),
});
export type AgentProfile = z.infer<typeof AgentProfileSchema>;

export const VisitorInfoSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
});
export type VisitorInfo = z.infer<typeof VisitorInfoSchema>;

/** Everything an agent may see of a visitor (the side panel). */
export const VisitorDetailsSchema = VisitorInfoSchema.extend({
  externalId: z.string().nullable(),
  page: z.object({ url: z.string(), title: z.string().optional(), referrer: z.string().optional() }).nullable(),
  userAgent: z.string().nullable(),
  createdAt: IsoTimeSchema,
  pastConversations: z.array(
    z.object({ id: z.string(), number: z.number().int(), status: ConversationStatusSchema, createdAt: IsoTimeSchema }),
  ),
});
export type VisitorDetails = z.infer<typeof VisitorDetailsSchema>;

export const InboxRoutingSchema = z.enum(['auto', 'manual']);

/** The languages the widget (and dashboard) speak. */
export const WidgetLanguageSchema = z.enum(['en', 'zh-CN']);
export type WidgetLanguage = z.infer<typeof WidgetLanguageSchema>;
export const WidgetColorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb');
export const defaultWidgetColor = '#2563eb';
export type InboxRouting = z.infer<typeof InboxRoutingSchema>;

/** An inbox as admins see it (carries its public widget `key`, never its identity secret). */
export const InboxSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  routing: InboxRoutingSchema,
  greeting: z.string(),
  livePreview: z.boolean(),
  csatEnabled: z.boolean(),
  hasIdentitySecret: z.boolean(),
  maxMessageLength: z.number().int().positive(),
  widgetColor: WidgetColorSchema,
  language: WidgetLanguageSchema.nullable(),
  /** Extension: weekly opening hours; null is always open. */
  businessHours: BusinessHoursSchema.nullable(),
  createdAt: IsoTimeSchema,
});
export type Inbox = z.infer<typeof InboxSchema>;

export const CannedResponseSchema = z.object({ id: z.string(), shortcut: z.string(), body: z.string() });
export type CannedResponse = z.infer<typeof CannedResponseSchema>;
