'use client';

import { useCallback, useEffect, useState } from 'react';

/** Loads a list from the admin API, with a reload after each change and the last error to show. */
export function useResource<T>(load: () => Promise<T>): { data: T | null; error: string | null; reload: () => void; run: (change: () => Promise<unknown>) => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    load().then(setData, (e: Error) => setError(e.message));
  }, [load]);
  useEffect(reload, [reload]);
  const run = async (change: () => Promise<unknown>) => {
    setError(null);
    try {
      await change();
      reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return { data, error, reload, run };
}
