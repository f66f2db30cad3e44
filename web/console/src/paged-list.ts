/**
 * A list read a page at a time with the API's cursors (disputes, found cards, the reconciliation
 * queue, findings): the first page on mount and again whenever `fetchPage` changes (a tab or filter
 * changed, so the list starts over), the next page on demand. An answer that arrives after the list
 * started over belongs to the old filter and is dropped, so a slow first tab never overwrites the
 * second.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface PagedList<T, P> {
  items: T[];
  /** The latest page as the API answered it (its counts and summaries). */
  page: P | undefined;
  /** Set when there is more to read. */
  cursor: string | undefined;
  busy: boolean;
  error: unknown;
  /** The first page again (after a change was made, or the refresh button). */
  reload(): Promise<void>;
  /** The next page, appended. */
  more(): Promise<void>;
  /** Edits what is shown without a read (e.g. drop an item just resolved). */
  setItems(update: (items: T[]) => T[]): void;
}

export function usePagedList<T, P extends { nextCursor?: string | undefined }>(fetchPage: (cursor: string | undefined) => Promise<P>, itemsOf: (page: P) => T[]): PagedList<T, P> {
  const [items, setItems] = useState<T[]>([]);
  const [page, setPage] = useState<P>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const generation = useRef(0);
  const itemsOfRef = useRef(itemsOf);
  itemsOfRef.current = itemsOf;

  const load = useCallback(
    async (after: string | undefined) => {
      const mine = after === undefined ? ++generation.current : generation.current;
      setBusy(true);
      setError(undefined);
      try {
        const answer = await fetchPage(after);
        if (mine !== generation.current) return;
        const read = itemsOfRef.current(answer);
        setItems((previous) => (after === undefined ? read : [...previous, ...read]));
        setPage(answer);
      } catch (caught) {
        if (mine === generation.current) setError(caught);
      } finally {
        if (mine === generation.current) setBusy(false);
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    setItems([]);
    setPage(undefined);
    void load(undefined);
  }, [load]);

  const cursor = page?.nextCursor;
  return {
    items,
    page,
    cursor,
    busy,
    error,
    reload: useCallback(() => load(undefined), [load]),
    more: useCallback(() => load(cursor), [load, cursor]),
    setItems,
  };
}
