/** What handlers need from the outside world, made once per Lambda container (or local process). */
import { readConfig, type Config } from './config';
import { systemClock, type Clock } from './domain/campus-day';
import { createLogger, type Logger } from './logger';
import { createDocumentClient, type Db } from './store/db';
import { createMovementStore, type MovementStore } from './store/movements';

export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  movements: MovementStore;
}

export function createDeps(config: Config = readConfig(), overrides: Partial<Pick<Deps, 'clock' | 'logger'>> & { db?: Db } = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const db = overrides.db ?? { doc: createDocumentClient(config), tableName: config.tableName };
  return {
    config,
    db,
    clock,
    logger: overrides.logger ?? createLogger(config.logLevel),
    movements: createMovementStore(db, clock),
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
