import type { ScenarioResult } from '../report/result.js';
import type { RunContext } from './context.js';
import { runStepped } from './stepped.js';

export const RATES = [500, 1_500, 3_000, 5_000];
/** --quick stops at the targets' 3 000 msgs/s (5 000 is the stretch, measured by the full run). */
const QUICK_RATES = [500, 1_500, 3_000];
const ALL = ['relay', 'kefu-1', 'kefu-2'];
/** The relay that acks after its store's commit, one node and two: only when --targets names them. */
const DURABLE = ['durable-1', 'durable-2'];
// --quick (under two minutes) measures queue and fan-out on one kefu node and its twin on the plain desk
// only; the full run on both shapes and the relay.
const CONVERSATIONS = 400;

/** The latency scenario's desk: 400 open conversations, 8 agents. */
const PLAIN_DESK = { agents: 8, capacity: CONVERSATIONS / 8, conversations: CONVERSATIONS };

/** 1. latency: 400 open conversations, 8 agents, offered load stepped up. */
export const latency = (ctx: RunContext): Promise<ScenarioResult> =>
  runStepped(ctx, {
    scenario: 'latency',
    title: '1. latency: 400 conversations, 8 agents',
    desk: PLAIN_DESK,
    rates: ctx.quick ? QUICK_RATES : RATES,
    targets: [...ALL, ...DURABLE],
    notes: ['Latency: shopper emits message:send → the first agent socket receives message:created.'],
  });

/** 2. queue: the same while 1 000 more shoppers wait in the same inbox's queue. */
export const queue = (ctx: RunContext): Promise<ScenarioResult> =>
  runStepped(ctx, {
    scenario: 'queue',
    title: '2. queue: 400 conversations + 1 000 shoppers queued in the same inbox',
    desk: { ...PLAIN_DESK, queued: 1_000 },
    plain: PLAIN_DESK,
    rates: ctx.quick ? [1_500] : RATES,
    targets: ctx.quick ? ['kefu-1'] : [...ALL],
    notes: ['The agents are full, so the 1 000 extra shoppers stay queued; the load goes to the 400 open conversations. The relay holds the same 1 000 idle sockets.'],
  });

/** 3. fan-out: one inbox with 50 agents online. */
export const fanout = (ctx: RunContext): Promise<ScenarioResult> =>
  runStepped(ctx, {
    scenario: 'fanout',
    title: '3. fan-out: one inbox, 50 agents online, 400 conversations',
    desk: { agents: 50, capacity: CONVERSATIONS / 50, conversations: CONVERSATIONS },
    plain: PLAIN_DESK,
    rates: ctx.quick ? [1_500] : RATES,
    targets: ctx.quick ? ['kefu-1'] : [...ALL],
    notes: ['The relay forwards each message to the room of the conversation, which its one agent joined.'],
  });
