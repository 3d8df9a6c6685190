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

export type TargetName = 'relay' | 'kefu-1' | 'kefu-2';

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

export const labels: Record<TargetName, string> = {
  relay: 'Socket.IO relay',
  'kefu-1': 'kefu, 1 node, SQLite',
  'kefu-2': 'kefu, 2 nodes, Redis + PostgreSQL',
};
