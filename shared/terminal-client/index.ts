/** The reference terminal client (docs/terminal-client.md): everything the POS app, the tests and the benchmarks use. */
export * from './client';
export * from './store';
export * from './bundle';
export { openIndexedDbStore, type ClosableTerminalStore } from './indexeddb-store';
