import { inParallel } from '../progress.js';
import { clock } from './clock.js';
import { generatorLag, type GeneratorLate } from './generator-lag.js';
import { listUpdateCountingParser, takeListUpdates } from './list-updates.js';
import { command, openedSockets } from './sockets.js';

/**
 * A process of its own for some of a desk's agents (agents.ts): it connects them, stamps each
 * `message:created` with `clock()` as it is read, and passes the stamps on to the load generator.
 */
export type AgentSpec = {
  auth: Record<string, unknown>;
  /** Parses every `conversation:activity`, as a dashboard does; the others only count them. */
  parsesListUpdates: boolean;
  /** Rooms to join (the relay's agents), by its `join` command. */
  joins?: string[];
};

export type ToWorker =
  | { type: 'open'; url: string; agents: AgentSpec[] }
  | { type: 'lag' }
  | { type: 'report' }
  | { type: 'close' };

export type ListUpdates = ReturnType<typeof takeListUpdates>;

export type FromWorker =
  | { type: 'opened' }
  | { type: 'failed'; error: string }
  /** Messages received since the last batch: their clientMsgIds and when each was read. */
  | { type: 'delivered'; ids: string[]; at: number[] }
  | { type: 'report'; late: GeneratorLate; listUpdates: ListUpdates }
  | { type: 'closed'; listUpdates: ListUpdates };

const sockets = openedSockets();
let lag: ReturnType<typeof generatorLag> | null = null;
let batch: { ids: string[]; at: number[] } = { ids: [], at: [] };

const tell = (message: FromWorker) => process.send!(message);

/**
 * Stamps go to the load generator in batches, every few milliseconds, rather than an IPC message for
 * each message read: they are taken as each message is read, so a batch delays only the report.
 */
const REPORT_EVERY_MS = 10;

function sendBatch() {
  tell({ type: 'delivered', ...batch });
  batch = { ids: [], at: [] };
}

function received(message: { clientMsgId?: string | null }) {
  if (!message.clientMsgId) return;
  if (batch.ids.length === 0) setTimeout(sendBatch, REPORT_EVERY_MS);
  batch.ids.push(message.clientMsgId);
  batch.at.push(clock());
}

async function open(url: string, agents: AgentSpec[]) {
  await inParallel(agents, 20, async (spec) => {
    const socket = await sockets.connect(url, '/agent', spec.auth, spec.parsesListUpdates ? undefined : listUpdateCountingParser);
    socket.on('message:created', received);
    if (spec.joins) await command(socket, 'join', spec.joins);
  });
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open':
      open(message.url, message.agents).then(
        () => tell({ type: 'opened' }),
        (error: Error) => tell({ type: 'failed', error: error.message }),
      );
      break;
    case 'lag':
      lag?.stop();
      lag = generatorLag();
      break;
    case 'report':
      tell({ type: 'report', late: lag?.stop() ?? { p99: 0, max: 0 }, listUpdates: takeListUpdates() });
      lag = null;
      break;
    case 'close':
      sockets.close();
      tell({ type: 'closed', listUpdates: takeListUpdates() });
      process.disconnect();
  }
});

// The load generator gone (it crashed, or was killed): its agents go too.
process.on('disconnect', () => process.exit(0));
