import type { AgentConversation, AgentProfile, Message, Viewer } from '@kefu/protocol';

/**
 * The collision guard and supervision, as the dashboard decides them: pure helpers over what the
 * controller holds, so the rules are read (and tested) apart from React.
 */

/** Colleagues who have the conversation open, without me (I may have it open in another tab). */
export const otherViewers = (viewers: Viewer[], meId: string | undefined): Viewer[] => viewers.filter((v) => v.agentId !== meId);

/**
 * Names of colleagues who replied to the shopper after `sinceSeq` (the last message the agent had
 * seen when they started the draft): the composer asks before sending on top of them.
 */
export function repliedMeanwhile(messages: Message[], sinceSeq: number, meId: string | undefined): string[] {
  const names = messages
    .filter((m) => m.seq > sinceSeq && m.kind === 'text' && m.author.type === 'agent' && m.author.id !== meId)
    .map((m) => m.author.name ?? 'A colleague');
  return [...new Set(names)];
}

/** "Ana", "Ana and Bo", "Ana, Bo, and Cy"; in Chinese "Ana、Bo和Cy". */
export const nameList = (names: string[], lang: string): string => new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(names);

/** An admin looking at a conversation someone else holds is watching it: they may whisper to that agent. */
export const isWatching = (conversation: AgentConversation, me: AgentProfile | null): boolean =>
  me?.role === 'admin' && conversation.assigneeId !== null && conversation.assigneeId !== me.id && conversation.status !== 'resolved';
