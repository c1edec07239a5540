/** Runs the operations that reshape apps (start, scale) one after another per app name. */
export interface AppLocks {
  /** Runs `op` once every earlier operation on any of `names` has ended; later ones wait for it. */
  run<T>(names: string[], op: () => Promise<T>): Promise<T>;
}

/**
 * Creates the per-app locks of a supervisor. An operation registers itself on all its names at once
 * (synchronously), so two operations on overlapping names never wait on each other in a cycle.
 */
export function createAppLocks(): AppLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    run(names, op) {
      const unique = [...new Set(names)];
      const before = Promise.all(unique.map((name) => tails.get(name)));
      const result = before.then(op);
      const done = result.then(
        () => undefined,
        () => undefined,
      );
      for (const name of unique) tails.set(name, done);
      done.then(() => {
        for (const name of unique) if (tails.get(name) === done) tails.delete(name);
      });
      return result;
    },
  };
}
