import type { Attachment, Message, VisitorConversation, VisitorSession } from '@kefu/protocol';

/** A message the shopper sent that the desk has not acknowledged yet. */
export type PendingMessage = {
  clientMsgId: string;
  body: string;
  attachments: Attachment[];
  createdAt: string;
  failed: boolean;
};

export type Phase = 'connecting' | 'ready' | 'reconnecting' | 'refused';

export type ChatState = {
  phase: Phase;
  /** Whether the host page shows the chat (the loader tells us). */
  open: boolean;
  inbox: VisitorSession['inbox'] | null;
  visitor: VisitorSession['visitor'] | null;
  conversation: VisitorConversation | null;
  /** The current conversation's messages the shopper may see, by seq. */
  messages: Message[];
  pending: PendingMessage[];
  hasEarlier: boolean;
  loadingEarlier: boolean;
  /** Name of the agent typing right now, or '' for someone unnamed; null when nobody is. */
  typing: string | null;
  /** The highest seq the shop has read. */
  agentReadSeq: number;
  /** The highest seq the shopper has seen. */
  readSeq: number;
  rated: boolean;
  /** The shopper left a message through the away form in this page. */
  leftAwayMessage: boolean;
  /** The shopper has started writing in the chat on this page: it stays, though the shop goes away meanwhile (the draft would go with it). */
  composing: boolean;
};

export const initialState: ChatState = {
  phase: 'connecting',
  open: false,
  inbox: null,
  visitor: null,
  conversation: null,
  messages: [],
  pending: [],
  hasEarlier: false,
  loadingEarlier: false,
  typing: null,
  agentReadSeq: 0,
  readSeq: 0,
  rated: false,
  leftAwayMessage: false,
  composing: false,
};

/** What the chat shows below the header, derived from the state. */
export type View = 'connecting' | 'away-form' | 'chat';

export function viewOf(state: ChatState): View {
  if (!state.inbox) return 'connecting';
  const inProgress = state.conversation !== null && state.conversation.status !== 'resolved';
  const nothingYet = state.messages.length === 0 && state.pending.length === 0;
  return !state.inbox.online && !inProgress && nothingYet && !state.leftAwayMessage && !state.composing ? 'away-form' : 'chat';
}

/** Ratings are offered once a conversation is resolved, when the inbox asks for them. */
export const offersRating = (state: ChatState): boolean =>
  Boolean(state.inbox?.csatEnabled && state.conversation?.status === 'resolved' && state.messages.length > 0);
