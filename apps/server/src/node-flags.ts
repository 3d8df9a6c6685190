/**
 * The Node flags every kefu server process starts with: `npm start`, the server's own `start` script,
 * the Docker image and the bench pass them (test/node-flags.test.ts checks that each does).
 *
 * V8's young generation, where a message's short-lived objects are born and nearly all die, is 16 MB
 * a semi-space by default. At 1 500 to 3 000 messages a second a node filled it many times a second,
 * and each scavenge copied whatever was still in flight. Twice as large, it fills half as often: the
 * GC pauses about halve, and an idle socket costs about 2 KB more (docs/benchmarks.md, change 58).
 *
 * V8 allocates objects straight into the old generation from the places in the code ("allocation
 * sites") whose objects it saw survive scavenges, and the decision sticks. A node's start (migrations,
 * bootstrap, the first sends, one at a time) taught it that of sites on the message path, the
 * PostgreSQL driver's rows among them: from then on those objects were born old, and every young
 * value they point to (each message's) was copied into the old generation at the next scavenge,
 * though dead a millisecond later. A request's objects die young in kefu; without pretenuring they
 * stay young and die there: promoted a scavenge at 1 500 to 3 000 msgs/s, 428 kB to 102 kB on the
 * two-node shoppers' node, 207 kB to 14 kB on one node (docs/benchmarks.md, change 86).
 *
 * The young generation keeps that size. V8 shrinks it to 1 MB a semi-space whenever a collection
 * finds the node allocating slowly (a quiet minute, or its memory reducer's full collection after
 * one), and grows it back only as scavenges find survivors. A burst after a quiet moment then met a
 * scavenge every 15 to 30 ms for its first second, each promoting what was in flight (14 MB in
 * 0.7 s), and a full collection after; the agents' node of two, whose survivors are few, never grew it
 * back at all (80 scavenges a 5 s step at 3 000 msgs/s against 5). Pinned, two nodes' GC time a
 * second about halved in the bench's latency scenario, and a node's no longer doubles after a quiet
 * moment. It cost about 17 MB more RSS in a node's first quarter minute, the same after, while the
 * memory reducer still gave an idle node's pages back (docs/benchmarks.md, change 96).
 *
 * No memory reducer. It is V8's timer that runs a full collection when it finds the node allocating
 * slowly, and gives the freed pages back; as we read V8's source, it judges by the last few seconds'
 * allocation, and it did fire seconds into a burst that followed a quiet moment (15 to 61 ms pauses
 * at 3 000 msgs/s). After one, the first scavenges, refilling the pages it gave back, took 6 to 44
 * ms each and the event loop ran up to 100 ms late. Without it, one node's p99 at 3 000 msgs/s was
 * lower in 17 of 20 paired runs (median 30 against 44 ms) and its CPU a message 0.24 against 0.28
 * ms; two nodes' p99 in 14 of 20. The price: after a burst a node at rest keeps 40 to 62 MB it would
 * have given back, until its next full collection (docs/benchmarks.md, change 97).
 *
 * The old generation grows to twice what a full collection leaves live before the next one. V8 sizes
 * that room by how fast it collects against how fast the node allocates; on the node we traced (the
 * two-node shoppers' node with 1 400 sockets: 58 MB live) it chose 1.57 and then 1.17 times, so what
 * a second of messages outlived (0.1 to 0.6 MB) brought full collections 23 and 14 s apart, each
 * pausing the node 17 to 52 ms. At twice, the next is some 55 MB of promotion away: none in the 81 s
 * that trace ran on after the first under load. The price: that much more heap between collections,
 * and one or two more collections in a node's first minute under load, whose first limit comes
 * sooner (docs/benchmarks.md, change 104).
 */
export const serverNodeFlags: readonly string[] = ['--max-semi-space-size=32', '--min-semi-space-size=32', '--no-allocation-site-pretenuring', '--no-memory-reducer', '--heap-growing-percent=100'];
