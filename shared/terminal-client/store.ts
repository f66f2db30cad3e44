/**
 * The terminal client's persistence seam. The browser uses IndexedDB (indexeddb-store.ts); tests and
 * the benchmark may use the in-memory store below. Everything the client must not lose (the
 * identity, the bundle, the offline queue with its cap and used-code bookkeeping, unresolved sales)
 * goes through putAll, so one sale's writes land together or not at all.
 */
export interface TerminalStore {
  get<T>(key: string): Promise<T | undefined>;
  /** All or nothing (one IndexedDB readwrite transaction). */
  putAll(entries: { key: string; value: unknown }[], deletes?: string[]): Promise<void>;
  /** Keys in order (string order: the client's keys embed ulids, so that is oldest first). */
  list<T>(prefix: string): Promise<{ key: string; value: T }[]>;
}

/** A store in memory (lost with the page): tests, the benchmark, a terminal that needs no queue. */
export function memoryStore(): TerminalStore {
  const data = new Map<string, unknown>();
  // structuredClone: a caller mutating what it put or got never changes the stored copy, as with IndexedDB.
  return {
    async get<T>(key: string) {
      return data.has(key) ? (structuredClone(data.get(key)) as T) : undefined;
    },
    async putAll(entries, deletes = []) {
      const copies = entries.map(({ key, value }) => [key, structuredClone(value)] as const);
      for (const key of deletes) data.delete(key);
      for (const [key, value] of copies) data.set(key, value);
    },
    async list<T>(prefix: string) {
      return [...data.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .map((key) => ({ key, value: structuredClone(data.get(key)) as T }));
    },
  };
}
