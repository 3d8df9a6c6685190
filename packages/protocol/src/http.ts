import { BusinessHoursSchema } from './business-hours.js';
import { z } from 'zod';
import { limits } from './limits.js';
import {
  AgentProfileSchema,
  AgentRoleSchema,
  AttachmentSchema,
  IdSchema,
  InboxRoutingSchema,
  WidgetColorSchema,
  WidgetLanguageSchema,
} from './shapes.js';

const EmailSchema = z.email().max(limits.emailLength);
const PasswordSchema = z.string().min(limits.passwordMin).max(limits.passwordMax);
const NameSchema = z.string().trim().min(1).max(limits.nameLength);
const OriginSchema = z
  .string()
  .max(limits.urlLength)
  .regex(/^https?:\/\/[^/\s]+$/, 'an origin is scheme://host[:port], with no path');

export const LoginInputSchema = z.object({ email: z.string().max(limits.emailLength), password: z.string().max(limits.passwordMax) });
export const LoginOutputSchema = z.object({ token: z.string(), agent: AgentProfileSchema });
export const UploadOutputSchema = z.object({ attachment: AttachmentSchema });

export const AgentCreateSchema = z.object({
  email: EmailSchema,
  name: NameSchema,
  password: PasswordSchema,
  role: AgentRoleSchema.optional(),
  capacity: z.number().int().min(0).max(limits.capacityMax).optional(),
  inboxIds: z.array(IdSchema).max(100).optional(),
});
export const AgentPatchSchema = AgentCreateSchema.partial().extend({
  /** Extension: deactivate (false) or reactivate (true) an agent. */
  active: z.boolean().optional(),
});

export const InboxCreateSchema = z.object({
  name: NameSchema,
  allowedOrigins: z.array(OriginSchema).max(limits.originsPerInbox).optional(),
  routing: InboxRoutingSchema.optional(),
  greeting: z.string().max(limits.greetingLength).optional(),
  livePreview: z.boolean().optional(),
  csatEnabled: z.boolean().optional(),
  /** Set to a string of 16+ characters to enable identity verification; null removes it. */
  identitySecret: z.string().min(16).max(200).nullable().optional(),
  maxMessageLength: z.number().int().min(1).max(limits.bodyHardMax).optional(),
  /** Extension: the widget's accent colour, `#rrggbb`. */
  widgetColor: WidgetColorSchema.optional(),
  /** Extension: the widget's language; null follows the shopper's browser. */
  language: WidgetLanguageSchema.nullable().optional(),
  /** Extension: weekly opening hours in a time zone; null (the default) is always open. */
  businessHours: BusinessHoursSchema.nullable().optional(),
});
export const InboxPatchSchema = InboxCreateSchema.partial();

export const CannedCreateSchema = z.object({
  shortcut: z
    .string()
    .min(1)
    .max(limits.shortcutLength)
    .regex(/^[a-z0-9_-]+$/i, 'a shortcut is letters, digits, - and _'),
  body: z.string().trim().min(1).max(limits.defaultMaxMessageLength),
});

export const auditActions = ['login_succeeded', 'login_failed', 'password_changed', 'role_changed', 'agent_deactivated', 'agent_reactivated'] as const;

/** GET /api/admin/audit: `limit` (default 50, at most 200) entries, newest first; `before` is the previous page's `nextCursor`. */
export const AuditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before: z.string().max(200).optional(),
});

/** One entry of the audit log: who did what to whose account, from where. Never a password, hash or token. */
export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.enum(auditActions),
  actorId: z.string().nullable(),
  subjectId: z.string().nullable(),
  email: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
});
export const AuditPageSchema = z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The longest report: a year and a day (the database scans every conversation started in the range). */
export const REPORT_MAX_DAYS = 367;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/**
 * GET /api/admin/reports: the conversations started on the local days `from`..`to` (both included) in
 * the time zone `tz` (IANA, default UTC), which also buckets them by local day and hour; optionally
 * only one inbox's or one agent's (the conversation's assignee).
 */
export const ReportQuerySchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    tz: z.string().max(64).refine(isTimeZone, 'not a time zone this server knows (an IANA name such as Asia/Shanghai)').optional(),
    inboxId: IdSchema.optional(),
    agentId: IdSchema.optional(),
  })
  .refine((q) => q.to >= q.from, { path: ['to'], message: 'to must not be before from' })
  .refine((q) => dayNumber(q.to) - dayNumber(q.from) < REPORT_MAX_DAYS, { path: ['to'], message: `a report covers at most ${REPORT_MAX_DAYS} days` });

/** Seconds between two moments of the conversations that have both: how many, their mean and median. */
export const DurationStatsSchema = z.object({ count: z.number().int(), averageSec: z.number().nullable(), medianSec: z.number().nullable() });

/** What a report says about a set of conversations. */
export const ReportMetricsSchema = z.object({
  conversations: z.number().int(),
  resolved: z.number().int(),
  /** Started → first assigned to an agent or first agent reply, whichever came first. */
  waitTime: DurationStatsSchema,
  /** Started → first agent reply (not a private note). */
  firstResponse: DurationStatsSchema,
  /** Started → resolved, for those resolved now. */
  resolution: DurationStatsSchema,
  /** Ratings 1–5 the shoppers gave; `satisfied`: how many gave 4 or 5. */
  csat: z.object({ count: z.number().int(), average: z.number().nullable(), satisfied: z.number().int() }),
});

export const ReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  totals: ReportMetricsSchema,
  /** Every local day of the range, in order (days without conversations count 0). */
  perDay: z.array(z.object({ date: z.string(), conversations: z.number().int(), resolved: z.number().int() })),
  /** Hours of the local day 0–23 over the whole range. */
  perHour: z.array(z.object({ hour: z.number().int(), conversations: z.number().int() })),
  csatRatings: z.array(z.object({ rating: z.number().int(), count: z.number().int() })),
  /** By assignee; `agentId` null: conversations nobody holds (still queued, or returned to the queue). */
  byAgent: z.array(ReportMetricsSchema.extend({ agentId: z.string().nullable(), name: z.string().nullable() })),
  byInbox: z.array(ReportMetricsSchema.extend({ inboxId: z.string(), name: z.string() })),
});
export type ReportQuery = z.infer<typeof ReportQuerySchema>;
export type ReportMetrics = z.infer<typeof ReportMetricsSchema>;
export type DurationStats = z.infer<typeof DurationStatsSchema>;
export type Report = z.infer<typeof ReportSchema>;

export type AgentCreate = z.infer<typeof AgentCreateSchema>;
export type AgentPatch = z.infer<typeof AgentPatchSchema>;
export type InboxCreate = z.infer<typeof InboxCreateSchema>;
export type InboxPatch = z.infer<typeof InboxPatchSchema>;
export type CannedCreate = z.infer<typeof CannedCreateSchema>;
