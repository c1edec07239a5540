import { ErrorCodes, VelosError } from '@velos/core';
import type { CommandDispatcher } from './ipc-server.js';

/** A dispatcher that holds commands while the daemon restores its saved state. */
export interface RestoreGate {
  readonly dispatcher: CommandDispatcher;
  /** Lets held commands through (the restore is done). */
  open(): void;
  /** Refuses held and later commands with `error` (the restore failed and the daemon stops). */
  fail(error: VelosError): void;
  /** Settles (never rejects) once `open` or `fail` was called. */
  readonly settled: Promise<void>;
}

/**
 * Wraps `inner` for a daemon that listens before it restores (so a big restore never looks like a
 * daemon that does not start): `ping` is answered at once, with `restoring: true` until the gate
 * opens, and so is `health`; every other command and stream waits for `open` and then runs, or fails with the error
 * given to `fail`.
 */
export function createRestoreGate(inner: CommandDispatcher): RestoreGate {
  let isOpen = false;
  let failure: VelosError | null = null;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const pass = async (): Promise<void> => {
    await settled;
    if (failure) throw failure;
  };

  // arguments are passed on whole, so the gate keeps working if the dispatcher's signature grows
  const dispatcher: CommandDispatcher = {
    ...inner,
    async request(...args: Parameters<CommandDispatcher['request']>) {
      if (args[0] === 'ping') {
        const answer = await inner.request(...args);
        return isOpen || failure ? answer : { ...(answer as object), restoring: true };
      }
      // OBS-4: the self-health only reads, and a container check must not time out during a long restore
      if (args[0] === 'health' && !failure) return inner.request(...args);
      if (!isOpen) await pass();
      return inner.request(...args);
    },
    async stream(...args: Parameters<CommandDispatcher['stream']>) {
      if (!isOpen) await pass();
      return inner.stream(...args);
    },
  };

  return {
    dispatcher,
    settled,
    open() {
      isOpen = true;
      settle();
    },
    fail(error) {
      failure ??= error;
      settle();
    },
  };
}

/** The error held commands get when the restore at start-up failed. */
export function restoreFailedError(cause: unknown, logPath: string): VelosError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new VelosError(
    ErrorCodes.DAEMON_START_FAILED,
    `the daemon could not restore its saved state (${why}) and stopped without saving; see ${logPath}`,
    { cause },
  );
}
