import { describe, expect, it } from '@jest/globals';
import { inParallel } from './progress.js';

/** One turn of the event loop: whatever the settled promises let run has run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Work whose items settle only when the test says so. */
function controlledWork() {
  const started: number[] = [];
  const gates = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const work = (item: number) =>
    new Promise<number>((resolve, reject) => {
      started.push(item);
      gates.set(item, { resolve: () => resolve(item * 10), reject });
    });
  return { started, gates, work };
}

describe('inParallel', () => {
  it("keeps at most `limit` items in flight and returns the results in the items' order", async () => {
    const { started, gates, work } = controlledWork();
    const run = inParallel([0, 1, 2, 3], 2, work);
    await turn();
    expect(started).toEqual([0, 1]);
    gates.get(1)!.resolve();
    await turn();
    expect(started).toEqual([0, 1, 2]);
    for (const item of [0, 2]) gates.get(item)!.resolve();
    await turn();
    gates.get(3)!.resolve();
    await expect(run).resolves.toEqual([0, 10, 20, 30]);
  });

  it('starts no item after a failure, and throws only once the items under way have settled', async () => {
    const { started, gates, work } = controlledWork();
    let outcome: unknown = 'pending';
    const run = inParallel([0, 1, 2, 3, 4], 2, work);
    run.catch((error: unknown) => (outcome = error));
    await turn();
    gates.get(0)!.reject(new Error('refused'));
    await turn();
    // Item 1 is still under way: a caller told now could not close what it is about to open.
    expect(outcome).toBe('pending');
    gates.get(1)!.resolve();
    await expect(run).rejects.toThrow('refused');
    expect(started).toEqual([0, 1]);
  });
});
