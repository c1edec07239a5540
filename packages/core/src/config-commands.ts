import type { AppSpec } from './app-spec.js';

/** CFG-2: what one config file's reload did (or why it changed nothing). */
export interface ConfigFileReload {
  /** Absolute path of the file (`config.toml` of the home for the daemon's own config). */
  file: string;
  /** Apps started because the file now has them. */
  added: string[];
  /** Apps stopped and deleted because the file no longer has them. */
  removed: string[];
  /**
   * Apps restarted (or, in cluster mode, reloaded) with their new spec: a key that changes how the
   * process is spawned changed (script, env, cwd…); a stopped app takes the spec for its next start.
   */
  changed: string[];
  /** Apps whose policy keys only changed (kill_timeout, max_memory, probes…): updated in place, same pids. */
  updated: string[];
  /**
   * Apps whose instance count changed (with policy or log keys, or none): instances added or removed,
   * the others keep running (same pids).
   */
  scaled: string[];
  /** Apps whose spec is the same: left alone. */
  unchanged: string[];
  /** Apps of the file outside the `--only` selection its apps were started with: not touched. */
  leftOut?: string[];
  /** `config.toml` only: there is no such file, the daemon runs with its built-in settings. */
  isMissing?: boolean;
  /** `config.toml` only, with `isMissing`: the daemon had read one before, and went back to its built-in settings. */
  wasRemoved?: boolean;
  /** `config.toml` only: its tables whose values changed since the daemon last read it (`metrics`, `defaults`…). */
  settings?: string[];
  /** `config.toml` only: what applying it changed (`metrics: serving http://127.0.0.1:9615/metrics`). */
  applied?: string[];
  /** `config.toml` only: what it asks for that is not in effect (`metrics: cannot serve on …: EADDRINUSE`). */
  failed?: string[];
  /**
   * What was accepted with a doubt: `config.toml`'s (`unknown section [otel] (did you mean
   * [metrics.otlp]?)…`), a PM2 process file's (`apps[0] (api): unknown option "scirpt" (did you mean
   * "script"?) ignored`), as `velos start` prints them.
   */
  warnings?: string[];
  /** Changed apps that did not come up in the grace period and run their previous spec again. */
  rolledBack: string[];
  /** Why the change was rolled back, or why the file was rejected (then nothing changed). */
  reason?: string;
  /** Set when the file was rejected (invalid or unreadable): the error, nothing changed. */
  error?: { code: string; message: string };
}

/** Answer of `config.reload`: one entry per file re-read. */
export interface ConfigReloadResult {
  files: ConfigFileReload[];
}

/** `config.set`: config keys as a file writes them (`max_memory: "200M"`), applied to one app. */
export interface ConfigSetRequest {
  target: string;
  changes: Record<string, unknown>;
}

/**
 * How `config.set` gave the app its new spec: `restarted` (new processes: restarted, or a cluster app
 * reloaded), `updated` (applied in place to the processes that run, none restarted), `scaled`
 * (instances added or removed, the others untouched), `stored` (no process of it ran: its next start
 * takes the spec).
 */
export type ConfigSetApplied = 'restarted' | 'updated' | 'scaled' | 'stored';

/** How `config_set` and `velos config set --ai` say a `ConfigSetApplied` (`applied`). */
export const CONFIG_SET_APPLIED_WORDS: Readonly<Record<ConfigSetApplied, string>> = {
  restarted: 'restarted',
  updated: 'in place',
  scaled: 'scaled',
  stored: 'not running',
};

/** Answer of `config.set`: the app's new spec and how it was applied (absent from a daemon before it). */
export interface ConfigSetResult {
  spec: AppSpec;
  applied?: ConfigSetApplied;
}
