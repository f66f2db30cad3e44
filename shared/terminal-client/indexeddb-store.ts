/**
 * The TerminalStore over IndexedDB: one object store of key → value, each putAll one readwrite
 * transaction (IndexedDB commits it whole or aborts it whole, also across a crash or a reload).
 * The only file of the client that touches a browser API, through the global `indexedDB`; the
 * project compiles without the DOM library, so the few IndexedDB shapes used are declared here.
 */
import type { TerminalStore } from './store';

const OBJECT_STORE = 'kv';
const SCHEMA_VERSION = 1;

interface IdbRequest<T> {
  result: T;
  error: unknown;
  onsuccess: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: ((event: unknown) => void) | null;
  onblocked: ((event: unknown) => void) | null;
}
interface IdbKeyRange {
  readonly lower: unknown;
}
interface IdbObjectStore {
  get(key: string): IdbRequest<unknown>;
  put(value: unknown, key: string): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
  getAll(range: IdbKeyRange): IdbRequest<unknown[]>;
  getAllKeys(range: IdbKeyRange): IdbRequest<string[]>;
}
interface IdbTransaction {
  objectStore(name: string): IdbObjectStore;
  error: unknown;
  oncomplete: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onabort: ((event: unknown) => void) | null;
  abort(): void;
}
interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(names: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
  onversionchange: ((event: unknown) => void) | null;
}
interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}
interface IdbKeyRangeStatic {
  bound(lower: string, upper: string, lowerOpen?: boolean, upperOpen?: boolean): IdbKeyRange;
}

/** A TerminalStore that also lets go of its connection (a test's "reload"; the page never needs it). */
export interface ClosableTerminalStore extends TerminalStore {
  close(): void;
}

export async function openIndexedDbStore(name = 'ecard-terminal'): Promise<ClosableTerminalStore> {
  const scope = globalThis as { indexedDB?: IdbFactory; IDBKeyRange?: IdbKeyRangeStatic };
  const factory = scope.indexedDB;
  const keyRange = scope.IDBKeyRange;
  if (!factory || !keyRange) throw new Error('IndexedDB is not available here');
  const db = await new Promise<IdbDatabase>((resolve, reject) => {
    const request = factory.open(name, SCHEMA_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(OBJECT_STORE)) request.result.createObjectStore(OBJECT_STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`IndexedDB ${name} is blocked by another open connection`));
  });
  // Another tab upgrading the schema: let go rather than block it.
  db.onversionchange = () => db.close();

  const done = (tx: IdbTransaction) =>
    new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  const result = <T>(request: IdbRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  // Every key of the prefix: [prefix, prefix + U+FFFF) covers all the client's keys (ASCII).
  const rangeOf = (prefix: string) => keyRange.bound(prefix, `${prefix}\uffff`, false, true);

  return {
    async get<T>(key: string) {
      const tx = db.transaction(OBJECT_STORE, 'readonly');
      return (await result(tx.objectStore(OBJECT_STORE).get(key))) as T | undefined;
    },
    async putAll(entries, deletes = []) {
      const tx = db.transaction(OBJECT_STORE, 'readwrite');
      const committed = done(tx);
      const store = tx.objectStore(OBJECT_STORE);
      try {
        for (const key of deletes) store.delete(key);
        for (const { key, value } of entries) store.put(value, key);
      } catch (error) {
        // A value IndexedDB cannot clone throws at put: abort so nothing of this batch is kept.
        tx.abort();
        await committed.catch(() => undefined);
        throw error;
      }
      await committed;
    },
    async list<T>(prefix: string) {
      const tx = db.transaction(OBJECT_STORE, 'readonly');
      const store = tx.objectStore(OBJECT_STORE);
      const [keys, values] = await Promise.all([result(store.getAllKeys(rangeOf(prefix))), result(store.getAll(rangeOf(prefix)))]);
      return keys.map((key, index) => ({ key, value: values[index] as T }));
    },
    close() {
      db.close();
    },
  };
}
