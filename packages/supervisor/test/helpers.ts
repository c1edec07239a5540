import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { APP_DEFAULTS, type AppSpec, type ResponseMessage } from '@velos/core';
import { encodeFrame, FrameDecoder } from '@velos/core/codec';
import {
  FIXTURES as FIXTURES_DIR,
  killTree,
  makeTempHome,
  pidsWithEnv,
  removeTempHome,
  SeenProcesses,
  spawnDaemon,
  waitFor as waitForTruthy,
} from '@velos/test-helpers';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { TEST_BUNDLE_DIR } from './bundle-dir.js';

/** Absolute path of the repository's `fixtures/` (with a trailing slash, as the tests join names to it). */
export const FIXTURES = `${FIXTURES_DIR}/`;

export { killTree, SeenProcesses };

/** Marker put in every test app's env, so teardown finds all its processes (grandchildren included). */
const MARKER = 'VELOS_TEST_HOME';

/** Polls `check` until it returns a truthy value (20 s unless told); the timeout error names `what`. */
export function waitFor<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  return waitForTruthy(check, options);
}

/** A complete spec for a fixture (or any script), with the teardown marker in its env. */
export function appSpec(home: string, overrides: Partial<AppSpec> & { name: string }): AppSpec {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (typeof value === 'string') env[key] = value;
  return {
    ...APP_DEFAULTS,
    script: 'silent.js',
    args: [],
    interpreterArgs: [],
    stopExitCodes: [],
    cwd: FIXTURES,
    ...overrides,
    env: { ...env, ...overrides.env, [MARKER]: home },
  };
}

/** Pids of live processes whose environment carries the marker of `home`. */
export function markedPids(home: string): number[] {
  return pidsWithEnv(MARKER, home);
}

/** The one raw frame-level client the tests use to talk to a daemon. */
export class RawClient {
  readonly messages: ResponseMessage[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder();
  private nextId = 1;
  private listeners: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const message of this.decoder.push(chunk)) this.messages.push(message as ResponseMessage);
      for (const listener of this.listeners) listener();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.closed.then(() => {
      for (const listener of this.listeners) listener();
    });
  }

  /** Connects to a socket path. */
  static connect(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request and returns its id. */
  send(cmd: string, payload?: unknown, id = this.nextId++): number {
    this.socket.write(encodeFrame(payload === undefined ? { id, cmd } : { id, cmd, payload }));
    return id;
  }

  /** Waits for the first message matching `predicate`. */
  async next(predicate: (message: ResponseMessage) => boolean, timeoutMs = 20_000): Promise<ResponseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (this.socket.destroyed && this.socket.readableEnded) throw new Error('connection closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, 1000));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.listeners.push(done);
      });
      this.listeners = [];
    }
  }

  /** Sends a request and waits for its final (non-stream) response. */
  async request(cmd: string, payload?: unknown, timeoutMs = 30_000): Promise<ResponseMessage> {
    const id = this.send(cmd, payload);
    return this.next((m) => m.id === id && m.status !== 'stream', timeoutMs);
  }

  /** Sends a request and returns its `ok` payload, or throws with the error payload. */
  async call<T = unknown>(cmd: string, payload?: unknown, timeoutMs = 30_000): Promise<T> {
    const response = await this.request(cmd, payload, timeoutMs);
    if (response.status !== 'ok') throw new Error(`${cmd} failed: ${JSON.stringify(response.payload)}`);
    return response.payload as T;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Owns what a test creates: temp homes, daemons, in-process supervisors and clients; `cleanup()`
 * kills every process by pid (daemons, their trees, anything carrying a home's marker).
 */
export class Harness {
  private readonly homes: string[] = [];
  private readonly daemons: ChildProcess[] = [];
  private readonly supervisors: Supervisor[] = [];
  private readonly clients: RawClient[] = [];

  /** A fresh temp home, `velos-XXXXXX` in the system temp directory. */
  home(): string {
    const home = makeTempHome('velos-').path;
    this.homes.push(home);
    return home;
  }

  /** Registers an in-process supervisor for teardown. */
  track(supervisor: Supervisor): Supervisor {
    this.supervisors.push(supervisor);
    return supervisor;
  }

  /** An in-process supervisor on a fresh home, tracked for teardown, with the lines it logs kept. */
  supervisorWithLog(): { home: string; supervisor: Supervisor; logLines: string[] } {
    const home = this.home();
    const logLines: string[] = [];
    const supervisor = this.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
    return { home, supervisor, logLines };
  }

  /** Starts a real daemon process on `home` (not waiting for it); its stdout/stderr go to `home/daemon-N.out`. */
  spawnDaemon(
    home: string,
    options: { nodeFlags?: string[]; env?: Record<string, string> } = {},
  ): ChildProcess {
    const child = spawnDaemon({
      home,
      entry: join(TEST_BUNDLE_DIR, 'daemon.mjs'),
      logFile: join(home, `daemon-${this.daemons.length}.out`),
      ...options,
    });
    this.daemons.push(child);
    return child;
  }

  /** Starts a daemon and waits until it answers `ping`. */
  async startDaemon(
    home: string,
    env?: Record<string, string>,
  ): Promise<{ child: ChildProcess; client: RawClient }> {
    const logFile = join(home, `daemon-${this.daemons.length}.out`);
    const child = this.spawnDaemon(home, env ? { env } : {});
    try {
      return { child, client: await this.waitForDaemon(home) };
    } catch (error) {
      // what the daemon printed and how it ended tell a CI failure's cause after the home is gone
      throw new Error(`${(error as Error).message}\n${daemonReport(child, logFile)}`);
    }
  }

  /** Connects to the daemon of `home` once it answers `ping` (and, unless told not to wait, has restored its state). */
  async waitForDaemon(home: string, options: { isRestoreAwaited?: boolean } = {}): Promise<RawClient> {
    const isRestoreAwaited = options.isRestoreAwaited ?? true;
    const client = await waitFor(
      async () => {
        const raw = await this.connect(home);
        await raw.call('ping', undefined, 2000);
        return raw;
      },
      { what: `the daemon of ${home} to answer ping` },
    );
    // the daemon answers ping while it restores (`restoring: true`); its state is complete after that
    if (isRestoreAwaited) {
      await waitFor(
        async () => !(await client.call<{ restoring?: boolean }>('ping', undefined, 2000)).restoring,
        {
          what: `the daemon of ${home} to finish its restore`,
        },
      );
    }
    return client;
  }

  /** Opens a raw client on the home's socket. */
  async connect(home: string): Promise<RawClient> {
    const client = await RawClient.connect(join(home, 'velos.sock'));
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    // the daemons still running, with their trees: the pid of one that exited may name another process by
    // now; a daemon known by its home's pid file only is stopped by removeTempHome, which checks it is the home's
    for (const child of this.daemons.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) killTree(child.pid);
    }
    for (const supervisor of this.supervisors.splice(0)) {
      for (const info of await supervisor.list()) if (info.pid) killTree(info.pid);
      await Promise.race([supervisor.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    for (const home of this.homes) for (const pid of markedPids(home)) killTree(pid);
    // then whatever still names the home (VELOS_HOME in its environment, its cwd), found by a /proc scan
    for (const home of this.homes.splice(0)) await removeTempHome(home, { timeoutMs: 5000 });
  }
}

/** How a test daemon stands (running, or how it ended) and the last lines it printed. */
function daemonReport(child: ChildProcess, logFile: string): string {
  const state =
    child.exitCode !== null || child.signalCode !== null
      ? `exited (code ${child.exitCode}, signal ${child.signalCode})`
      : `still running (pid ${child.pid})`;
  let output = '';
  try {
    output = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
  } catch (error) {
    output = `(no output: ${(error as NodeJS.ErrnoException).code})`;
  }
  return `daemon ${state}; its output:\n${output}`;
}
