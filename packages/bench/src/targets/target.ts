import type { Socket } from 'socket.io-client';
import type { Agents } from '../load/agents.js';
import { cpuMsOf, postgresCpuMs, type NodeProcess } from './process.js';

/** What a scenario asks for: agents with a capacity, open conversations, and shoppers left waiting in the queue. */
export type DeskSpec = { agents: number; capacity: number; conversations: number; queued?: number; routing?: 'auto' | 'manual' };

/** Connected sockets of one desk: a shopper per conversation, the agents (in processes of their own), and the waiting shoppers. */
export type Desk = {
  conversations: { id: string; shopper: Socket }[];
  agents: Agents;
  waiting: Socket[];
  /** Ends the scenario's load; a target may keep some sockets open until it stops (kefu keeps the agents). */
  close(): Promise<void>;
};

/**
 * `relay`, `kefu-1`, `kefu-2`, or `kefu-1@NAME` for another build of kefu given with --compare NAME=DIR;
 * `durable-1` and `durable-2` (the relay that acks after commit) when --targets names them.
 */
export type TargetName = string;

/** Something the harness measures: a relay, kefu on one node, or kefu on two nodes. */
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
  'durable-1': 'durable relay, 1 node, SQLite',
  'durable-2': 'durable relay, 2 nodes, Redis + PostgreSQL',
};

export type Shape = 'relay' | 'kefu-1' | 'kefu-2' | 'durable-1' | 'durable-2';
export const shapeOf = (name: TargetName) => name.split('@')[0] as Shape;
/** The shapes whose messages go through PostgreSQL, whose CPU the tables give beside the nodes'. */
const withPostgres: ReadonlySet<Shape> = new Set(['kefu-2', 'durable-2']);
export const buildOf = (name: TargetName): string | undefined => name.split('@')[1];
export const labelOf = (name: TargetName): string => `${names[shapeOf(name)] ?? name}${buildOf(name) ? ` (${buildOf(name)})` : ''}`;

/** CPU time (ms) used so far: by the target's server processes, and by PostgreSQL (NaN where there is none). */
export type CpuMs = { server: number; database: number };

export const cpuOf = (target: Target): CpuMs => ({
  server: target.nodes.reduce((sum, node) => sum + cpuMsOf(node.pid), 0),
  database: withPostgres.has(shapeOf(target.name)) ? postgresCpuMs() : NaN,
});

/** CPU time per unit of work between two readings, to 0.01 ms. */
export const cpuPer = (before: CpuMs, after: CpuMs, units: number): CpuMs => {
  const per = (key: keyof CpuMs) => Math.round((100 * (after[key] - before[key])) / Math.max(1, units)) / 100;
  return { server: per('server'), database: per('database') };
};

/** A figure a target does not have (NaN) as a dash in a table. */
export const orDash = (value: number): number | string => (Number.isNaN(value) ? '-' : value);
