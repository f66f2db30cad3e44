/** Runs one async action at a time and keeps its state for the page: idle, busy, failed or done. */
import { useCallback, useRef, useState } from 'react';

export type TaskState<T> = { kind: 'idle' } | { kind: 'busy' } | { kind: 'failed'; error: unknown } | { kind: 'done'; value: T };

export function useTask<Args extends unknown[], T>(action: (...args: Args) => Promise<T>) {
  const [state, setState] = useState<TaskState<T>>({ kind: 'idle' });
  const running = useRef(false);
  const run = useCallback(
    async (...args: Args): Promise<T | undefined> => {
      if (running.current) return undefined; // a second tap while busy does nothing
      running.current = true;
      setState({ kind: 'busy' });
      try {
        const value = await action(...args);
        setState({ kind: 'done', value });
        return value;
      } catch (error) {
        setState({ kind: 'failed', error });
        return undefined;
      } finally {
        running.current = false;
      }
    },
    [action],
  );
  return { state, run, reset: () => setState({ kind: 'idle' }) };
}
