import { commandEntries, type Subscription, type VelosControl } from '@velos/core';
import { validatePayload } from './command-handlers.js';

/**
 * Wraps `control` so that every method checks its arguments as the daemon checks a payload on its
 * socket (the same limits and schemas, `INVALID_ARGUMENT` with the path), for hosts that call the
 * supervisor in-process. A stream's invalid arguments end its iteration with the error.
 * @example
 * const control = validatedControl(createSupervisor({ home }));
 * await control.scale('api', 'many'); // rejects: scale: instances: expected a whole number N (1 to 1024), +N or -N
 */
export function validatedControl(control: VelosControl): VelosControl {
  const methods = control as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrapped: Record<string, (...args: unknown[]) => unknown> = {};
  for (const entry of commandEntries()) {
    const validArgs = async (args: unknown[]) =>
      entry.toArgs(await validatePayload(entry.name, entry.toPayload(...args)));
    if (entry.kind === 'stream') {
      wrapped[entry.method] = (...args) =>
        deferredSubscription(
          async () => methods[entry.method]!(...(await validArgs(args))) as Subscription<unknown>,
        );
      continue;
    }
    const call = async (args: unknown[]) => methods[entry.method]!(...(await validArgs(args)));
    wrapped[entry.method] = (...args) => call(args);
    for (const [view, project] of Object.entries(entry.views ?? {})) {
      wrapped[view] = async (...args) => project(await call(args));
    }
  }
  return wrapped as unknown as VelosControl;
}

/** A subscription returned at once whose source opens later (after an asynchronous check). */
function deferredSubscription<T>(open: () => Promise<Subscription<T>>): Subscription<T> {
  let source: Subscription<T> | null = null;
  let isCancelled = false;
  return {
    cancel() {
      isCancelled = true;
      source?.cancel();
    },
    async *[Symbol.asyncIterator]() {
      if (isCancelled) return;
      source = await open();
      if (isCancelled) source.cancel();
      yield* source;
    },
  };
}
