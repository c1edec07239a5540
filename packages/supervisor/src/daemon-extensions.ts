import type { VelosControl } from '@velos/core';
import type { DaemonConfig } from '@velos/core/config';

/** What a daemon extension is given: the daemon's own control, in process, and its configuration. */
export interface DaemonExtensionHost {
  /** The supervisor, its arguments validated as on the socket. */
  control: VelosControl;
  home: string;
  /** Appends a line to `daemon.log`. */
  log: (line: string) => void;
  /** The last good `config.toml` (null: there is none). */
  config: DaemonConfig | null;
}

/**
 * Something the daemon runs beside the supervisor, chosen by the host that starts it (the CLI's
 * daemon entry gives the metrics endpoint and the OTLP export). It must load nothing heavy until
 * its configuration asks for it: `apply` decides, then `import()`s what it needs.
 */
export interface DaemonExtension {
  /** A short name for daemon.log (`metrics`, `otlp`). */
  name: string;
  /** Called once the state is restored and after each good read of config.toml: starts, reconfigures or stops. */
  apply(host: DaemonExtensionHost): Promise<void>;
  /** Stops what it started (at shutdown, before the supervisor closes). */
  close(): Promise<void>;
}

/** Runs the extensions' `apply` one round at a time; a failure is logged, never fatal to the daemon. */
export function createExtensionRunner(extensions: readonly DaemonExtension[], log: (line: string) => void) {
  let chain: Promise<void> = Promise.resolve();
  let isClosed = false;
  const applyAll = (host: DaemonExtensionHost): Promise<void> => {
    chain = chain.then(async () => {
      if (isClosed) return;
      for (const extension of extensions) {
        try {
          await extension.apply(host);
        } catch (error) {
          log(`${extension.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    });
    return chain;
  };
  return {
    applyAll,
    async close(): Promise<void> {
      isClosed = true;
      await chain;
      for (const extension of extensions) {
        await extension.close().catch((error: unknown) => log(`${extension.name}: close: ${String(error)}`));
      }
    },
  };
}
