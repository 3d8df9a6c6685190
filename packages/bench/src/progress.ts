/** One line that rewrites itself on a terminal, and plain lines every few seconds otherwise (CI logs). */
export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  let lastPlain = 0;
  return {
    update(text: string): void {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
      } else if (Date.now() - lastPlain > 5_000) {
        lastPlain = Date.now();
        stream.write(`${text}\n`);
      }
    },
    done(): void {
      if (stream.isTTY) stream.write('\r\x1b[2K');
    },
  };
}
export type Progress = ReturnType<typeof createProgress>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` over items with at most `limit` in flight. After a failure no new item starts, and the
 * first error is thrown only once the items under way have settled: a caller that keeps what each
 * item opened (a socket) can then close all of it, and nothing opens after.
 */
export async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed.error;
  return results;
}
