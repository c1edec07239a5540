import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type VelosClient } from '@velos/client';
import { APP_DEFAULTS, type AppSpec, type Subscription, type VelosControl } from '@velos/core';
import { makeTempHome, removeTempHome, waitFor } from '@velos/test-helpers';
import fastify, { type FastifyInstance } from 'fastify';
import { registerWebSocket } from '../src/ws/register.js';
import { WEBSOCKET_PATH, type WebSocketTuning } from '../src/ws/ws-options.js';

/** The two tokens the test server accepts. */
export const TOKENS = { admin: 'ws-test-admin-token', read: 'ws-test-read-token' } as const;
/** The repository's fixture programs. */
export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DAEMON_SCRIPT =
  "import { runDaemon } from '@velos/supervisor'; await runDaemon({ home: process.argv[1], foreground: true });";

export { waitFor };

/** A daemon of the built @velos/supervisor, run in the foreground as a child process. */
export interface TestDaemon {
  child: ChildProcess;
  pid: number;
  /** SIGTERMs it (it stops its apps) and waits for it; SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Starts a daemon on `home` and waits until it answers `ping` and has restored its state. */
export async function startDaemon(home: string): Promise<TestDaemon> {
  const out = openSync(join(home, 'daemon-test.out'), 'a');
  const child = spawn(process.execPath, ['--input-type=module', '-e', DAEMON_SCRIPT, home], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const probe = createClient({ home, timeoutMs: 2000 });
  try {
    await waitFor(async () => !(await probe.ping()).restoring, `the daemon of ${home}`);
  } finally {
    await probe.close();
  }
  return {
    child,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Counts of the daemon subscriptions a control opened and has not cancelled yet. */
export interface SubscriptionCounts {
  opened: { followLogs: number; followEvents: number };
  /** Opened and not cancelled. */
  active: { followLogs: number; followEvents: number };
  /** `list` and `metrics` calls (the polls), `logsResult` calls (the backlogs). */
  calls: { list: number; metrics: number; logsResult: number };
  /** The most `logsResult` calls that were in flight at once. */
  peakBacklogReads: number;
}

/** Wraps a control so the tests see how many daemon subscriptions and polls the server keeps. */
export function countingControl(control: VelosClient): { control: VelosControl; counts: SubscriptionCounts } {
  const counts: SubscriptionCounts = {
    opened: { followLogs: 0, followEvents: 0 },
    active: { followLogs: 0, followEvents: 0 },
    calls: { list: 0, metrics: 0, logsResult: 0 },
    peakBacklogReads: 0,
  };
  let backlogReads = 0;
  const counted = <T>(
    kind: 'followLogs' | 'followEvents',
    subscription: Subscription<T>,
  ): Subscription<T> => {
    counts.opened[kind] += 1;
    counts.active[kind] += 1;
    let isCancelled = false;
    return {
      [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
      cancel() {
        if (!isCancelled) counts.active[kind] -= 1;
        isCancelled = true;
        subscription.cancel();
      },
    };
  };
  return {
    counts,
    control: {
      ...control,
      followLogs: (request) => counted('followLogs', control.followLogs(request)),
      followEvents: (request) => counted('followEvents', control.followEvents(request)),
      list: () => {
        counts.calls.list += 1;
        return control.list();
      },
      metrics: () => {
        counts.calls.metrics += 1;
        return control.metrics();
      },
      logsResult: (request) => {
        counts.calls.logsResult += 1;
        backlogReads += 1;
        counts.peakBacklogReads = Math.max(counts.peakBacklogReads, backlogReads);
        return control.logsResult(request).finally(() => {
          backlogReads -= 1;
        });
      },
    },
  };
}

/** A fastify app with `registerWebSocket` on 127.0.0.1, over a real daemon in a temp home. */
export interface WsHarness {
  home: string;
  daemon: TestDaemon;
  client: VelosClient;
  counts: SubscriptionCounts;
  app: FastifyInstance;
  /** `ws://127.0.0.1:<port>/api/v1/ws`. */
  wsUrl: string;
  /** The lines the server logged. */
  logLines: string[];
  /** Starts an app of a fixture; resolves its processes. */
  startApp(name: string, script: string, env?: Record<string, string>): ReturnType<VelosControl['start']>;
  /** Closes the server, stops the daemon (and its apps) and removes the home. */
  close(): Promise<void>;
}

/** Starts a daemon on a fresh home and a WebSocket server over it. */
export async function startWsHarness(options: { ws?: WebSocketTuning } = {}): Promise<WsHarness> {
  const home = makeTempHome('velos-api-ws-').path;
  const daemon = await startDaemon(home);
  const client = createClient({ home, timeoutMs: 10_000 });
  const { control, counts } = countingControl(client);
  const logLines: string[] = [];
  const app = fastify();
  await registerWebSocket(app, {
    control,
    authenticate: (token) => (token === TOKENS.admin ? 'admin' : token === TOKENS.read ? 'read' : null),
    ws: options.ws,
    log: (line) => logLines.push(line),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let isClosed = false;
  return {
    home,
    daemon,
    client,
    counts,
    app,
    wsUrl: `ws://127.0.0.1:${port}${WEBSOCKET_PATH}`,
    logLines,
    startApp: (name, script, env = {}) => client.start([appSpec(name, script, env)]),
    async close() {
      if (isClosed) return;
      isClosed = true;
      await app.close();
      await client.close();
      await daemon.stop();
      await removeTempHome(home);
    },
  };
}

/** A complete spec for a fixture. */
export function appSpec(name: string, script: string, env: Record<string, string> = {}): AppSpec {
  return {
    ...APP_DEFAULTS,
    name,
    script: join(FIXTURES, script),
    cwd: FIXTURES,
    args: [],
    interpreterArgs: [],
    stopExitCodes: [],
    ignoreWatch: [...APP_DEFAULTS.ignoreWatch],
    dependsOn: [],
    env: { PATH: process.env.PATH ?? '', ...env },
    killTimeoutMs: 1000,
  };
}
