import type { VisitorDetails } from '@kefu/protocol';
import type { Executor } from '../database.js';
import { conversationsOfVisitor } from '../repos/conversations.js';
import { findVisitor } from '../repos/visitors.js';

/** Everything an agent's side panel shows of a visitor: contact, current page, browser, past conversations. */
export async function visitorDetailsOf(db: Executor, visitorId: string): Promise<VisitorDetails | null> {
  const visitor = await findVisitor(db, visitorId);
  if (!visitor) return null;
  const past = await conversationsOfVisitor(db, visitorId);
  const page = visitor.page_url
    ? {
        url: visitor.page_url,
        ...(visitor.page_title ? { title: visitor.page_title } : {}),
        ...(visitor.page_referrer ? { referrer: visitor.page_referrer } : {}),
      }
    : null;
  return {
    id: visitor.id,
    name: visitor.name,
    email: visitor.email,
    externalId: visitor.external_id,
    page,
    userAgent: visitor.user_agent,
    createdAt: visitor.created_at,
    pastConversations: past.map((c) => ({ id: c.id, number: c.number, status: c.status, createdAt: c.created_at })),
  };
}
