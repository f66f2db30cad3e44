/**
 * Runs tasks for the same key one after another inside this process. It is only a courtesy: the
 * database's conditions keep money correct across processes; this just stops a busy process from
 * racing itself on one account and wasting transactions on optimistic-lock retries.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
