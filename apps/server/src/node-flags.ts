/**
 * The Node.js flags every kefu server node runs with: the Dockerfile, `npm start`, the package
 * scripts and the bench's targets (node-flags.test.ts keeps them in step).
 *
 * `--max-semi-space-size=64`: a message leaves 85 KB (one node) to 250 KB (the shoppers' node of a
 * cluster) of short-lived objects, and V8's young generation, 16 MB semi-spaces by default, filled
 * several times a second under load: every scavenge stops the node and promotes what is still in
 * flight. It grows past 16 MB only under such load; idle sockets do not grow it (docs/benchmarks.md,
 * ninth round).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];
