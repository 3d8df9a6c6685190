import type { Socket } from 'socket.io-client';
import type { NodeProcess } from './process.js';

/** What a scenario asks for: agents with a capacity, open conversations, and shoppers left waiting in the queue. */
export type DeskSpec = { agents: number; capacity: number; conversations: number; queued?: number; routing?: 'auto' | 'manual' };

/** Connected sockets of one desk: a shopper per conversation, the agents, and the waiting shoppers. */
export type Desk = {
  conversations: { id: string; shopper: Socket }[];
  agents: Socket[];
  waiting: Socket[];
  close(): void;
};

/** `relay`, `kefu-1`, `kefu-2`, or `kefu-1@NAME` for another build of kefu given with --compare NAME=DIR. */
export type TargetName = string;

/** Something the harness measures: the relay, kefu on one node, or kefu on two nodes. */
export type Target = {
  name: TargetName;
  nodes: NodeProcess[];
  /** Where shoppers connect; agents connect to `agentUrl` (another node in the two-node shape). */
  shopperUrl: string;
  agentUrl: string;
  openDesk(spec: DeskSpec, onProgress: (text: string) => void): Promise<Desk>;
  stop(): Promise<void>;
};

const names: Record<string, string> = {
  relay: 'Socket.IO relay',
  'kefu-1': 'kefu, 1 node, SQLite',
  'kefu-2': 'kefu, 2 nodes, Redis + PostgreSQL',
};

export const shapeOf = (name: TargetName) => name.split('@')[0] as 'relay' | 'kefu-1' | 'kefu-2';
export const buildOf = (name: TargetName): string | undefined => name.split('@')[1];
export const labelOf = (name: TargetName): string => `${names[shapeOf(name)] ?? name}${buildOf(name) ? ` (${buildOf(name)})` : ''}`;
