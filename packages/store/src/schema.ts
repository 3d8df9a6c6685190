/** Table shapes as Kysely sees them. Times are ISO-8601 strings; booleans are 0/1 integers in both dialects. */
import type { WidgetLanguage } from '@kefu/protocol';
import type { GeneratedAlways } from 'kysely';
export type SettingsTable = { key: string; value: string };
export type CountersTable = { name: string; value: number };

export type AgentsTable = {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: 'agent' | 'admin';
  capacity: number;
  /** The status the agent chose; routing sees 'offline' while `connected` is 0. */
  status: 'online' | 'away';
  /** 1 while the agent has a socket somewhere in the cluster or is within the offline grace period. */
  connected: number;
  active: number;
  avatar_url: string | null;
  last_assigned_at: string | null;
  created_at: string;
};

export type InboxesTable = {
  id: string;
  key: string;
  name: string;
  allowed_origins: string; // JSON array
  routing: 'auto' | 'manual';
  greeting: string;
  live_preview: number;
  csat_enabled: number;
  identity_secret: string | null;
  max_message_length: number;
  widget_color: string;
  language: WidgetLanguage | null;
  /** JSON BusinessHours (@kefu/core), null: always open. */
  business_hours: string | null;
  created_at: string;
};

export type InboxMembersTable = { inbox_id: string; agent_id: string };

export type VisitorsTable = {
  id: string;
  inbox_id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  page_url: string | null;
  page_title: string | null;
  page_referrer: string | null;
  user_agent: string | null;
  created_at: string;
};

export type ConversationsTable = {
  id: string;
  number: number;
  inbox_id: string;
  visitor_id: string;
  status: 'queued' | 'open' | 'snoozed' | 'resolved';
  assignee_id: string | null;
  priority: number;
  /** When it (last) entered the queue: the real time, for waits. */
  queued_at: string | null;
  /** Its place in the queue (after priority); earlier than queued_at when it was put back at the front. */
  queue_key: string | null;
  snooze_until: string | null;
  last_seq: number;
  last_public_seq: number;
  last_message_body: string | null;
  last_message_author_type: 'visitor' | 'agent' | 'system' | null;
  last_message_at: string | null;
  unread: number;
  agent_read_seq: number;
  visitor_read_seq: number;
  first_response_at: string | null;
  resolved_at: string | null;
  csat_rating: number | null;
  csat_comment: string | null;
  created_at: string;
  updated_at: string;
};

export type MessagesTable = {
  id: string;
  conversation_id: string;
  seq: number;
  /** seq of the previous message a visitor can see; agents see every message, so theirs is seq - 1. */
  prev_public_seq: number;
  client_msg_id: string | null;
  author_type: 'visitor' | 'agent' | 'system';
  author_id: string | null;
  author_name: string | null;
  kind: 'text' | 'event' | 'note';
  body: string;
  created_at: string;
  /** On a whisper (a note an admin wrote for the assignee, migration 007): that agent's id; else null. */
  whisper_to: string | null;
};

export type AttachmentsTable = {
  id: string;
  owner_type: 'visitor' | 'agent';
  owner_id: string;
  message_id: string | null;
  name: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  created_at: string;
  /** Its place among its message's attachments, as the sender listed them (null before migration 009). */
  position: number | null;
};

export type SessionsTable = { id: string; agent_id: string; created_at: string; expires_at: string; revoked_at: string | null };

export type AssignmentsTable = {
  id: string;
  conversation_id: string;
  inbox_id: string;
  agent_id: string | null;
  rule: string;
  reason: string; // JSON AssignmentReason
  wait_sec: number | null;
  created_at: string;
};

export type CannedTable = { id: string; shortcut: string; body: string; created_at: string };

export type AuditLogTable = {
  id: string;
  at: string;
  action: 'login_succeeded' | 'login_failed' | 'password_changed' | 'role_changed' | 'agent_deactivated' | 'agent_reactivated';
  /** Who did it (null for a failed login: nobody was proven). */
  actor_id: string | null;
  /** Whose account it concerns. */
  subject_id: string | null;
  /** The email a login named (failed logins to unknown emails have no subject). */
  email: string | null;
  ip: string | null;
  detail: string | null; // JSON object, never a secret
};

export type DB = {
  settings: SettingsTable;
  counters: CountersTable;
  agents: AgentsTable;
  inboxes: InboxesTable;
  inbox_members: InboxMembersTable;
  visitors: VisitorsTable;
  /** `updated_at_if_resolved`: the database computes it for the resolved list (migration 011); ConversationRow leaves it out. */
  conversations: ConversationsTable & { updated_at_if_resolved: GeneratedAlways<string | null> };
  messages: MessagesTable;
  attachments: AttachmentsTable;
  sessions: SessionsTable;
  assignments: AssignmentsTable;
  canned_responses: CannedTable;
  audit_log: AuditLogTable;
};
