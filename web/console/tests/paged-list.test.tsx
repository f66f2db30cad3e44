/** The console's cursor-paged lists (usePagedList): pages append, a filter change starts over, and a late answer for the old filter is dropped. */
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { useCallback } from 'react';
import { usePagedList } from '../src/paged-list';

afterEach(cleanup);

interface Page {
  rows: string[];
  nextCursor?: string;
}

/** A fake API whose answers the test releases one by one, in any order. */
function deferredApi() {
  const calls: { filter: string; cursor: string | undefined; answer(page: Page): void; fail(error: unknown): void }[] = [];
  const fetch = (filter: string, cursor: string | undefined) =>
    new Promise<Page>((resolve, reject) => {
      calls.push({ filter, cursor, answer: resolve, fail: reject });
    });
  return { calls, fetch };
}

function useList(api: ReturnType<typeof deferredApi>, filter: string) {
  const fetchPage = useCallback((cursor: string | undefined) => api.fetch(filter, cursor), [api, filter]);
  return usePagedList(fetchPage, (page: Page) => page.rows);
}

describe('usePagedList', () => {
  it('reads the first page, appends the next with its cursor, and a reload starts over', async () => {
    const api = deferredApi();
    const { result } = renderHook(() => useList(api, 'open'));
    await waitFor(() => expect(api.calls).toHaveLength(1));
    expect(result.current.busy).toBe(true);
    await act(async () => api.calls[0]!.answer({ rows: ['a', 'b'], nextCursor: 'c1' }));
    expect(result.current.items).toEqual(['a', 'b']);
    expect(result.current.cursor).toBe('c1');

    void act(() => void result.current.more());
    await waitFor(() => expect(api.calls).toHaveLength(2));
    expect(api.calls[1]!.cursor).toBe('c1');
    await act(async () => api.calls[1]!.answer({ rows: ['c'] }));
    expect(result.current.items).toEqual(['a', 'b', 'c']);
    expect(result.current.cursor).toBeUndefined();

    void act(() => void result.current.reload());
    await waitFor(() => expect(api.calls).toHaveLength(3));
    expect(api.calls[2]!.cursor).toBeUndefined();
    await act(async () => api.calls[2]!.answer({ rows: ['z'] }));
    expect(result.current.items).toEqual(['z']);
  });

  it('a filter change starts over, and the old filter’s late answer (or failure) is dropped', async () => {
    const api = deferredApi();
    const { result, rerender } = renderHook(({ filter }) => useList(api, filter), { initialProps: { filter: 'open' } });
    await waitFor(() => expect(api.calls).toHaveLength(1));
    rerender({ filter: 'resolved' });
    await waitFor(() => expect(api.calls).toHaveLength(2));
    expect(api.calls[1]!.filter).toBe('resolved');

    await act(async () => api.calls[1]!.answer({ rows: ['resolved-1'] }));
    await act(async () => api.calls[0]!.answer({ rows: ['open-1'], nextCursor: 'stale' }));
    expect(result.current.items).toEqual(['resolved-1']);
    expect(result.current.cursor).toBeUndefined();
    expect(result.current.busy).toBe(false);

    rerender({ filter: 'open' });
    await waitFor(() => expect(api.calls).toHaveLength(3));
    expect(result.current.items).toEqual([]);
    rerender({ filter: 'resolved' });
    await waitFor(() => expect(api.calls).toHaveLength(4));
    await act(async () => api.calls[2]!.fail(new Error('old filter failed')));
    expect(result.current.error).toBeUndefined();
    await act(async () => api.calls[3]!.fail(new Error('this one failed')));
    expect((result.current.error as Error).message).toBe('this one failed');
    expect(result.current.busy).toBe(false);
  });
});
