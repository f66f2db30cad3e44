/**
 * Reads until `done` holds or the time is up, and gives back the last value read: for what the
 * outbox's dispatcher (fed by DynamoDB Local's stream) does a moment after the change. The caller
 * asserts on the value, so a timeout fails with what was last seen, not with "timed out".
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 8_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
