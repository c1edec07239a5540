/**
 * The cluster primary (SUP-5): a small Node process per cluster app, spawned by the daemon with an
 * IPC channel. It forks the app's workers with `node:cluster` (so their servers share ports), hands
 * each worker's stdout/stderr pipe to the daemon, and reports the workers' life cycle. When the daemon
 * lets it go (`shutdown`, then disconnect) it stops the workers it still has and exits; when the
 * daemon dies instead, it keeps them running for the next daemon to find (SUP-13). Workers preload
 * this same file (`--import`), which then only installs the graceful drain of their HTTP servers.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import type { ForkMessage, FromPrimary, ToPrimary } from './cluster-messages.js';
import { installWorkerDrain } from './worker-drain.js';

/** Workers still alive after the daemon left get SIGKILL this long after SIGTERM. */
const SHUTDOWN_GRACE_MS = 5000;

const workers = new Map<number, Worker>();
let isShuttingDown = false;
/** Set by the daemon's `shutdown` message: its disconnect is then on purpose. */
let isShutdownAsked = false;
/** The workers' preload: this very file. */
const self = import.meta.url;

if (cluster.isWorker) installWorkerDrain();
else runPrimary();

function runPrimary(): void {
  if (process.argv[2]) process.title = `velos cluster primary: ${process.argv[2]}`;
  process.on('message', (message: ToPrimary) => {
    if (message.t === 'fork') fork(message);
    else if (message.t === 'retire') workers.get(message.key)?.disconnect();
    else if (message.t === 'shutdown') isShutdownAsked = true;
    else if (message.t === 'shutdown-worker') sendShutdown(workers.get(message.key));
  });
  process.on('disconnect', () => {
    // Without `shutdown` first, the daemon died: the workers go on serving; they write into pipes this
    // process still holds open, so they never meet EPIPE. The next daemon finds them by VELOS_HOME.
    if (isShutdownAsked) shutdown();
  });
}

function send(message: FromPrimary, handle?: Socket): void {
  if (!process.connected) return;
  // keepOpen: this process keeps its (paused) copy of a worker's pipe, so the pipe still has a reader
  // if the daemon dies; it is closed when the worker exits.
  process.send!(message, handle, { keepOpen: true }, (error: Error | null) => {
    if (error) handle?.destroy();
  });
}

function fork(message: ForkMessage): void {
  const { key } = message;
  // cluster.fork() merges its env argument over the primary's own environment: make that exactly the app's.
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, message.env);
  cluster.setupPrimary({
    exec: message.exec,
    args: message.args,
    execArgv: ['--import', self, ...message.execArgv],
    cwd: message.cwd,
    silent: true,
  });
  let worker: Worker;
  try {
    worker = cluster.fork();
  } catch (error) {
    send({ t: 'error', key, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const child = worker.process;
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (error) => send({ t: 'error', key, message: error.message }));
    return;
  }
  workers.set(key, worker);
  // Stop reading the pipes here before anything can arrive: the daemon reads them once it has the handles.
  for (const stream of [child.stdout, child.stderr]) pauseHandle(stream as Socket | null);
  send({ t: 'online', key, pid });
  if (child.stdout) send({ t: 'stdio', key, pid, stream: 'out' }, child.stdout as Socket);
  if (child.stderr) send({ t: 'stdio', key, pid, stream: 'err' }, child.stderr as Socket);
  worker.on('listening', (address) => {
    const where =
      address.addressType === -1 ? String(address.address) : `${address.address ?? '*'}:${address.port}`;
    send({ t: 'listening', key, pid, address: where });
  });
  worker.on('message', (data: unknown) => {
    if (data === 'ready') send({ t: 'ready', key, pid });
    else if (isAppEvent(data)) send({ t: 'event', key, pid, event: data });
  });
  worker.on('disconnect', () => send({ t: 'disconnected', key, pid }));
  worker.on('exit', (code, signal) => {
    workers.delete(key);
    // Close this copy of the pipes before Node would resume them to drain them: what the worker
    // wrote last belongs to the daemon's copy.
    child.stdout?.destroy();
    child.stderr?.destroy();
    send({ t: 'exit', key, pid, code, signal: signal ?? null });
    if (isShuttingDown && workers.size === 0) process.exit(0);
  });
}

/** PM2's `shutdown_with_message`: the worker gets 'shutdown' on its `process.on('message')`. */
function sendShutdown(worker: Worker | undefined): void {
  if (!worker?.isConnected()) return;
  try {
    worker.send('shutdown');
  } catch {
    // the channel closed meanwhile: the daemon's kill_timeout ends the worker
  }
}

/** An app event (OBS-2) or custom metric report (OBS-6): an object with a string `velos_event` or `velos_metric`; the daemon validates and rate-limits it. */
function isAppEvent(data: unknown): data is Record<string, unknown> {
  if (typeof data !== 'object' || data === null) return false;
  const report = data as { velos_event?: unknown; velos_metric?: unknown };
  return typeof report.velos_event === 'string' || typeof report.velos_metric === 'string';
}

function pauseHandle(stream: Socket | null): void {
  const handle = (stream as unknown as { _handle?: { readStop?: () => void; reading?: boolean } } | null)
    ?._handle;
  if (!handle?.readStop) return;
  handle.reading = false;
  handle.readStop();
}

function shutdown(): void {
  isShuttingDown = true;
  if (workers.size === 0) process.exit(0);
  for (const worker of workers.values()) worker.process.kill('SIGTERM');
  setTimeout(() => {
    for (const worker of workers.values()) worker.process.kill('SIGKILL');
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
}
