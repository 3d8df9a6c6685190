import type {
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '@kefu/protocol';
import type { Namespace, Socket } from 'socket.io';

/** What the handshake established about a socket; handlers trust only this, never the payload. */
export type VisitorSocketData = { visitorId: string; inboxId: string };
export type AgentSocketData = {
  agentId: string;
  sessionId: string;
  role: 'agent' | 'admin';
  /** As at the handshake: shown to colleagues viewing the same conversation. */
  name: string;
  /** The conversation this socket has open (collision guard), and whether its composer has a draft. */
  viewing?: { conversationId: string; typing: boolean } | undefined;
};

export type VisitorNamespace = Namespace<VisitorClientToServerEvents, VisitorServerToClientEvents, Record<string, never>, VisitorSocketData>;
export type AgentNamespace = Namespace<AgentClientToServerEvents, AgentServerToClientEvents, Record<string, never>, AgentSocketData>;
export type VisitorSocket = Socket<VisitorClientToServerEvents, VisitorServerToClientEvents, Record<string, never>, VisitorSocketData>;
export type AgentSocket = Socket<AgentClientToServerEvents, AgentServerToClientEvents, Record<string, never>, AgentSocketData>;
