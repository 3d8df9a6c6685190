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

/** Runs `work` over items with at most `limit` in flight. */
export async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
