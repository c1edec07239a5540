import type { RequestTimeout, VelosClient } from '@velos/client';
import { type PingResult, resolveHome } from '@velos/core';
import { type Colors, createColors, isColorWanted } from './output/colors.js';

/**
 * Node flags of the daemon: a 1 MB young generation keeps its RSS about 5 MB lower with 100 apps
 * (measured in bench/), at no visible cost: captured log bytes live outside the V8 heap. A 512 MB cap
 * on the old generation (the daemon's heap is ~5 MB idle, ~15 MB with 100 apps) makes V8 size its
 * initial heap smaller: 0.9 MB less RSS when idle (the default cap here is 4 GB).
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=512', '--expose-gc'];

/**
 * V8 flags that make code wait longer before V8 optimises it (issue 17): the first function V8 optimises
 * pages its optimising compilers into the daemon's RSS, ~3.7 MB on Node 20 and ~2.5 MB on Node 24, and
 * a daemon start that called one Node helper often enough (how often depends on the machine) did so. On
 * Node 24 starting the first 10 apps called `path`'s per-character helper and the IPC decoder's string
 * reader over 4000 times each; at 40000 calls for Maglev they stay in the baseline tier (0.6 → 0.33 MB of
 * daemon RSS per app for the first 10, log-capture CPU unchanged in bench/log-syscalls.mjs). Hot
 * paths (log capture) still get optimised within milliseconds of work. Only flags this V8 knows, so
 * they are given to daemons the client starts (same node as the CLI), not written into service units
 * that a later Node upgrade would run with.
 */
export function lateTierUpFlags(v8Version: string): string[] {
  const major = Number.parseInt(v8Version, 10);
  if (major === 11) return ['--interrupt-budget=1048576'];
  if (major >= 13) return ['--invocation-count-for-maglev=40000', '--invocation-count-for-turbofan=30000'];
  return [];
}

/** How a command prints: a readable text form, full JSON, or the compact `--ai` JSON. */
export type OutputMode = 'text' | 'json' | 'ai';

/** What every command gets: where the daemon lives, how to print, and a client factory. */
export interface CommandContext {
  home: string;
  mode: OutputMode;
  colors: Colors;
  isTTY: boolean;
  /** The terminal's width when stdout is one (tables fit it); absent otherwise, where output stays as it is. */
  columns?: number;
  /** Writes one block of text to stdout, with a trailing newline. */
  print(text: string): void;
  /** Writes a value as JSON: indented on a terminal, one line otherwise. */
  printJson(value: unknown): void;
  /**
   * A client of the daemon; by default it starts the daemon when none runs (and prints its start-up
   * warnings unless `isQuiet`: the caller reads them from `ping`). `autoStart: 'once'` (long-running
   * commands: monit, `logs -f`, `events -f`) starts it for the first connection only, never on a
   * reconnect: a `velos kill` while they run stands.
   */
  client(options?: {
    autoStart?: boolean | 'once';
    isQuiet?: boolean;
    /** The bound of each request (see `ClientOptions.timeoutMs`); none by default. */
    timeoutMs?: RequestTimeout;
  }): Promise<VelosClient>;
  /** Closes every client this context opened. */
  dispose(): Promise<void>;
}

/** PM2's global flags (see `takeGlobalFlags`): `--silent` turns `print`/`printJson` off, `--no-color` colour. */
export interface ContextOptions {
  isSilent?: boolean;
  isColorOff?: boolean;
}

/** Builds the context of one CLI run; `daemonEntry` is the script the client starts a daemon with (`dist/daemon.cjs`). */
export function createContext(
  mode: OutputMode,
  daemonEntry: string,
  options: ContextOptions = {},
): CommandContext {
  const home = resolveHome(process.env);
  const isTTY = process.stdout.isTTY === true;
  const clients: VelosClient[] = [];
  const write = (text: string): void => {
    if (!options.isSilent) process.stdout.write(text);
  };
  return {
    home,
    mode,
    isTTY,
    ...(isTTY ? terminalColumns(process.stdout) : {}),
    colors: createColors(
      mode === 'text' && !options.isColorOff && isColorWanted(process.stdout, process.env),
    ),
    print: (text) => write(`${text}\n`),
    printJson: (value) => write(`${JSON.stringify(value, null, isTTY && mode === 'json' ? 2 : undefined)}\n`),
    client: async ({ autoStart = true, isQuiet = false, timeoutMs } = {}) => {
      const { createClient } = await import('@velos/client');
      const launcher = {
        entry: daemonEntry,
        nodeFlags: [...DAEMON_NODE_FLAGS, ...lateTierUpFlags(process.versions.v8), ...process.execArgv],
        onStarted: (daemon: PingResult) => {
          if (!isQuiet) printWarnings(daemon.warnings);
        },
      };
      const client = createClient({
        home,
        autoStart: autoStart ? launcher : false,
        autoStartOnReconnect: autoStart !== 'once',
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      clients.push(client);
      return client;
    },
    dispose: async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
    },
  };
}

/** `{columns}` of a terminal's stdout when it reports its width, else nothing. */
export function terminalColumns(stdout: { columns?: number }): { columns?: number } {
  const { columns } = stdout;
  return columns !== undefined && columns > 0 ? { columns } : {};
}

/** Start-up problems of the daemon (a corrupt state file restored from its backup…), one line each on stderr. */
export function printWarnings(warnings: readonly string[] | undefined): void {
  for (const warning of warnings ?? []) {
    process.stderr.write(`velos: warning: ${warning.replace(/\s*\n\s*/g, ' ')}\n`);
  }
}
