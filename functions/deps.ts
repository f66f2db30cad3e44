/** What handlers need from the outside world, made once per Lambda container (or local process). */
import { readConfig, type Config } from './config';
import { systemClock, type Clock } from './domain/campus-day';
import { createLogger, type Logger } from './logger';
import { createDocumentClient, type Db } from './store/db';
import { createMovementStore, type MovementStore } from './store/movements';
// The outside systems' adapters (and their SDKs) are loaded on first use: a function that never pays
// out or tops up, a POS payment, does not load WeChat Pay's, Alipay's or the bank's code at its cold start.
import type { PaymentChannels } from './payments/channels';
import type { BankAdapter } from './payments/bank';
import type { ElectricityAdapter } from './payments/electricity';
import type { NetworkAdapter } from './payments/network';

export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  movements: MovementStore;
  /** The configured payment platforms, built once on first use. */
  payments: () => Promise<PaymentChannels>;
  /** The kiosk's bank, built once on first use. */
  bank: () => Promise<BankAdapter | undefined>;
  /** The campus network centre's system and the dormitory power system (utility payments), built once on first use. */
  network: () => Promise<NetworkAdapter | undefined>;
  electricity: () => Promise<ElectricityAdapter | undefined>;
}

export function createDeps(config: Config = readConfig(), overrides: Partial<Pick<Deps, 'clock' | 'logger' | 'payments' | 'bank' | 'network' | 'electricity'>> & { db?: Db } = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const db = overrides.db ?? { doc: createDocumentClient(config), tableName: config.tableName };
  return {
    config,
    db,
    clock,
    logger: overrides.logger ?? createLogger(config.logLevel),
    movements: createMovementStore(db, clock),
    payments: overrides.payments ?? once(async () => (await import('./payments/channels')).paymentChannelsFromEnvironment(config, process.env, clock)),
    bank: overrides.bank ?? once(async () => (await import('./payments/channels')).bankFromEnvironment(config)),
    network: overrides.network ?? once(async () => (await import('./payments/network')).networkFromEnvironment(config)),
    electricity: overrides.electricity ?? once(async () => (await import('./payments/electricity')).electricityFromEnvironment(config)),
  };
}

/** A lazy value computed once; a failure is not remembered, so the next call tries again. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

let current: Deps | undefined;

/** The process-wide dependencies, created from the environment on first use. */
export function getDeps(): Deps {
  current ??= createDeps();
  return current;
}

/** Replaces the process-wide dependencies (tests: an injected clock or a fault-injecting client). */
export function setDeps(deps: Deps | undefined): void {
  current = deps;
}
