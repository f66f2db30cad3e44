/** Local fakes of the outside systems (payment platforms, sign-in, the bank) for one test file. */
import { afterAll, beforeAll } from 'vitest';

/**
 * Starts a fake before this file's tests, points the platform at it (its configuration in the
 * environment variable the platform reads it from) and stops it after them; `started` receives it.
 */
export function useFake<T extends { config: unknown; close(): Promise<void> }>(configName: string, start: () => Promise<T>, started: (fake: T) => void): void {
  let fake: T | undefined;
  beforeAll(async () => {
    fake = await start();
    process.env[configName] = JSON.stringify(fake.config);
    started(fake);
  });
  afterAll(async () => {
    delete process.env[configName];
    await fake?.close();
  });
}
