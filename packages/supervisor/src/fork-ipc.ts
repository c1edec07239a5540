import type { ChildProcess, StdioOptions } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import type { AppSpec } from '@velos/core';
import { isNodeProgram, type ResolvedCommand } from './resolve-command.js';

/**
 * The IPC channel of a fork-mode Node app (issue #14, PM2's `wait_ready` and `shutdown_with_message`):
 * the app's `process.send('ready')` makes it online, `'shutdown'` is sent to stop it, and messages
 * with `velos_event`/`velos_metric` are app events and metrics as from cluster workers (OBS-2, OBS-6).
 */
export interface ForkChannel {
  /** Resolves `ready` on the app's 'ready', `timeout` after `listen_timeout`, `exit` when the run ends first. */
  readonly ready: Promise<'ready' | 'timeout' | 'exit'> | null;
  /** Sends 'shutdown' to the app; false when the channel is closed (the app cannot get it). */
  sendShutdown(): boolean;
}

/** What a channel reports to its runner. */
export interface ForkChannelHooks {
  onAppMessage(message: unknown): void;
  log(line: string): void;
}

/**
 * True when a fork-mode run gets an IPC channel: only when its app asks for one (`wait_ready` or
 * `shutdown_with_message`) and the program is Node itself, which is what understands the channel.
 * Opt-in because the channel is a socket pair per process that does not outlive the daemon.
 */
export function wantsForkIpc(spec: AppSpec, command: ResolvedCommand): boolean {
  if (!spec.waitReady && !spec.shutdownWithMessage) return false;
  if (command.shell) return false;
  return isNodeProgram(command.file);
}

/** The `stdio` option of a spawn with its IPC channel added as fd 3. */
export function withIpc(stdio: StdioOptions): StdioOptions {
  return Array.isArray(stdio) ? [...stdio, 'ipc'] : [stdio, stdio, stdio, 'ipc'];
}

/** Listens on the IPC channel of a just-spawned fork-mode child. */
export function openForkChannel(child: ChildProcess, spec: AppSpec, hooks: ForkChannelHooks): ForkChannel {
  let markReady: ((how: 'ready' | 'timeout' | 'exit') => void) | null = null;
  const ready = spec.waitReady
    ? new Promise<'ready' | 'timeout' | 'exit'>((resolve) => {
        markReady = resolve;
      })
    : null;
  const settle = (how: 'ready' | 'timeout' | 'exit'): void => {
    const resolve = markReady;
    markReady = null;
    resolve?.(how);
  };
  child.on('message', (message: unknown) => {
    if (isReadyMessage(message)) settle('ready');
    else if (isAppReport(message)) hooks.onAppMessage(message);
  });
  child.once('exit', () => settle('exit'));
  if (ready) {
    const abort = new AbortController();
    delay(spec.listenTimeoutMs, undefined, { signal: abort.signal, ref: false }).then(
      () => settle('timeout'),
      () => undefined,
    );
    void ready.then(() => abort.abort());
  }
  return {
    ready,
    sendShutdown() {
      if (!child.connected) return false;
      try {
        return child.send('shutdown', (error: Error | null) => {
          if (error) hooks.log(`pid ${child.pid}: 'shutdown' not delivered: ${error.message}`);
        });
      } catch {
        return false;
      }
    },
  };
}

/**
 * Stops a run by its 'shutdown' message: resolves `exited` when the run ends within `killTimeoutMs`,
 * `timeout` when it does not (the caller then kills it), `not-sent` when there is no open channel.
 */
export async function shutdownByMessage(
  channel: ForkChannel | undefined,
  exited: Promise<void>,
  killTimeoutMs: number,
): Promise<'exited' | 'timeout' | 'not-sent'> {
  if (!channel?.sendShutdown()) return 'not-sent';
  const abort = new AbortController();
  const outcome = await Promise.race([
    exited.then(() => 'exited' as const),
    delay(killTimeoutMs, 'timeout' as const, { signal: abort.signal }).catch(() => 'exited' as const),
  ]);
  abort.abort();
  return outcome;
}

/** PM2's ready message: the string 'ready' (as in cluster mode). */
function isReadyMessage(message: unknown): boolean {
  return message === 'ready';
}

/** An app event (OBS-2) or custom metric report (OBS-6), validated and rate-limited by the daemon. */
function isAppReport(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const report = message as { velos_event?: unknown; velos_metric?: unknown };
  return typeof report.velos_event === 'string' || typeof report.velos_metric === 'string';
}
