import { isOpenAt } from '@kefu/core';
import type { QueueInfo, VisitorConversation } from '@kefu/protocol';
import {
  businessHoursOf,
  findAgent,
  findInbox,
  onlineMemberCount,
  queuePlaceOf,
  toVisitorAssignee,
  toVisitorConversation,
  type ConversationRow,
  type Executor,
  type InboxRow,
} from '@kefu/store';

/**
 * The visitor's view of a conversation: who answers, and while queued, position and wait (`queueInfo`: the
 * places of its whole queue, when the caller has read them). `knownAssignee`: the assignee as visitors
 * see it, when the caller has it already (no agents query).
 */
export async function visitorConversationView(
  db: Executor,
  row: ConversationRow,
  queueInfo?: Map<string, QueueInfo>,
  knownAssignee?: VisitorConversation['assignee'],
): Promise<VisitorConversation> {
  const assignee = knownAssignee !== undefined ? knownAssignee : await assigneeOf(db, row);
  const queue = row.status !== 'queued' ? null : queueInfo ? (queueInfo.get(row.id) ?? null) : await queuePlaceOf(db, row);
  return toVisitorConversation(row, assignee, queue);
}

async function assigneeOf(db: Executor, row: ConversationRow): Promise<VisitorConversation['assignee']> {
  const agent = row.assignee_id ? await findAgent(db, row.assignee_id) : undefined;
  return agent ? toVisitorAssignee(agent) : null;
}

/**
 * An inbox is online for visitors within its business hours while one of its active members is
 * online; otherwise the widget offers the away form.
 */
export async function isInboxOnline(db: Executor, inboxId: string, now = new Date()): Promise<boolean> {
  const inbox = await findInbox(db, inboxId);
  return inbox ? isInboxRowOnline(db, inbox, now) : false;
}

/** isInboxOnline for an inbox the caller has read already. */
export async function isInboxRowOnline(db: Executor, inbox: InboxRow, now = new Date()): Promise<boolean> {
  return isOpenAt(businessHoursOf(inbox), now) && (await onlineMemberCount(db, inbox.id)) > 0;
}
