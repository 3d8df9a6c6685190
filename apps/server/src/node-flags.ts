/**
 * The Node flags every kefu server process starts with: `npm start`, the server's own `start` script,
 * the Docker image and the bench pass them (test/node-flags.test.ts checks that each does).
 *
 * V8's young generation, where a message's short-lived objects are born and nearly all die, is 16 MB
 * a semi-space by default. At 1 500 to 3 000 messages a second a node filled it many times a second,
 * and each scavenge copied whatever was still in flight. Twice as large, it fills half as often: the
 * GC pauses about halve, and an idle socket costs about 2 KB more (docs/benchmarks.md, change 58).
 */
export const serverNodeFlags: readonly string[] = ['--max-semi-space-size=32'];
