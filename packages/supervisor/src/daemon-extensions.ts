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

/** What applying a configuration changed (`metrics: serving http://127.0.0.1:9615/metrics`), or failed to. */
export interface ExtensionChange {
  text: string;
  /** True when what the configuration asks for is not in effect (a port in use). */
  isFailure?: boolean;
}

/**
 * Something the daemon runs beside the supervisor, chosen by the host that starts it (the CLI's
 * daemon entry gives the metrics endpoint and the OTLP export). It must load nothing heavy until
 * its configuration asks for it: `apply` decides, then `import()`s what it needs.
 */
export interface DaemonExtension {
  /** A short name for daemon.log (`metrics`, `otlp`). */
  name: string;
  /**
   * Called once the state is restored and after each good read of config.toml: starts, reconfigures or
   * stops; resolves with what changed, if anything (`velos config reload` prints it).
   */
  apply(host: DaemonExtensionHost): Promise<ExtensionChange | undefined>;
  /** Stops what it started (at shutdown, before the supervisor closes). */
  close(): Promise<void>;
}

/**
 * Runs the extensions' `apply` one round at a time; a failure is logged, never fatal to the daemon.
 * Each round resolves with what the extensions changed (a failure is one, `isFailure`).
 */
export function createExtensionRunner(extensions: readonly DaemonExtension[], log: (line: string) => void) {
  let chain: Promise<unknown> = Promise.resolve();
  let isClosed = false;
  const applyAll = (host: DaemonExtensionHost): Promise<ExtensionChange[]> => {
    const round = chain.then(async () => {
      const changes: ExtensionChange[] = [];
      if (isClosed) return changes;
      for (const extension of extensions) {
        try {
          const change = await extension.apply(host);
          if (change) changes.push(change);
        } catch (error) {
          const text = `${extension.name}: ${error instanceof Error ? error.message : String(error)}`;
          log(text);
          changes.push({ text, isFailure: true });
        }
      }
      return changes;
    });
    chain = round;
    return round;
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
