/**
 * The cluster primary (SUP-5): a small Node process per cluster app, spawned by the daemon. It forks
 * the app's workers with `node:cluster` (so their servers share ports), their stdout/stderr going
 * into the FIFOs the daemon named (as a fork-mode child's do), and reports the workers' life cycle.
 * The daemon talks to it over a unix socket it listens on (`argv[3]`, SUP-13): when the daemon dies,
 * the primary and its workers go on serving, and the next daemon connects to the same socket, asks
 * for the live workers (`hello`) and takes them over. It stops its workers and exits only when a
 * daemon says `shutdown`. Workers run the daemon's Node and preload the daemon's copy of this file
 * (`--import`), which then only installs the graceful drain of their HTTP servers: after `velos
 * update` onto another Node (or another install), a taken-over primary forks on the new ones.
 */
import cluster, { type Worker } from 'node:cluster';
import { chmodSync, closeSync, constants, openSync, realpathSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ForkMessage, FromPrimary, ToPrimary, WorkerState } from './cluster-messages.js';
import { LineChannel } from './line-channel.js';
import { installWorkerDrain } from './worker-drain.js';
import type { AdmitMessage } from './worker-listen-hold.js';
import { installProbeDoor, isProbeDoorFailedMessage, isProbeDoorMessage } from './worker-probe-door.js';

/** Workers still alive after a shutdown get SIGKILL this long after SIGTERM, unless the daemon says (`kill_timeout`). */
const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

const workers = new Map<number, { worker: Worker; state: WorkerState }>();
let isShuttingDown = false;
/** The connection of the daemon now in charge, or null while none is (it died, the next one is not up). */
let daemon: LineChannel<ToPrimary, FromPrimary> | null = null;
/** The workers' preload unless the daemon names one: this very file. */
const self = import.meta.url;
/** The Node running this primary (workers run the one the daemon names). */
const ownExecPath = process.execPath;

if (cluster.isWorker) {
  installWorkerDrain();
  installProbeDoor();
} else if (isRunAsProgram()) runPrimary();
// else preloaded into a process an app's worker forked: child_process.fork() passes the worker's
// execArgv (this `--import`) on, and that child of the app's is neither a primary nor a worker

/** True when Node runs this file as its program (the daemon spawned a primary), not as a preload. */
function isRunAsProgram(): boolean {
  const program = process.argv[1];
  if (program === undefined) return false;
  try {
    return realpathSync(program) === realpathSync(fileURLToPath(self));
  } catch {
    return false;
  }
}

function runPrimary(): void {
  const [name, socketPath] = process.argv.slice(2);
  if (name) process.title = `velos cluster primary: ${name}`;
  // stdout/stderr are pipes to the daemon that spawned this process: once it died, writes fail (EPIPE)
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  if (!socketPath) {
    console.error('usage: cluster-primary <app name> <control socket path>');
    process.exit(2);
  }
  const server = createServer((socket: Socket) => {
    // a new daemon replaces the one that died (or a stale connection)
    daemon?.close();
    const channel = new LineChannel<ToPrimary, FromPrimary>(socket, onMessage);
    daemon = channel;
    socket.once('close', () => {
      if (daemon === channel) daemon = null;
    });
  });
  server.on('error', (error) => {
    console.error(`cannot listen on ${socketPath}: ${error.message}`);
    process.exit(1);
  });
  try {
    unlinkSync(socketPath);
  } catch {
    // none left
  }
  // bind happens inside listen(): the socket is created 0600 (its directory is 0700 anyway)
  const umask = process.umask(0o177);
  server.listen(socketPath, () => {
    chmodSync(socketPath, 0o600);
    process.stdout.write('listening\n');
  });
  process.umask(umask);
}

function onMessage(message: ToPrimary): void {
  switch (message.t) {
    case 'fork':
      fork(message);
      break;
    case 'retire':
      workers.get(message.key)?.worker.disconnect();
      break;
    case 'shutdown':
      shutdown(message.graceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      break;
    case 'shutdown-worker':
      sendShutdown(workers.get(message.key)?.worker);
      break;
    case 'current':
      markCurrent(message.key);
      break;
    case 'admit':
      admit(workers.get(message.key)?.worker);
      break;
    case 'hello':
      send({
        t: 'state',
        pid: process.pid,
        workers: [...workers.values()].map((entry) => entry.state),
        execPath: ownExecPath,
        version: process.version,
        hasProbeDoor: true,
        hasAdmit: true,
      });
      break;
  }
}

function send(message: FromPrimary): void {
  daemon?.send(message);
}

function markCurrent(key: number): void {
  const found = workers.get(key);
  if (!found) return;
  for (const { state } of workers.values()) if (state.id === found.state.id) state.isCurrent = false;
  found.state.isCurrent = true;
}

function fork(message: ForkMessage): void {
  const { key } = message;
  const fds: number[] = [];
  let worker: Worker;
  try {
    // The worker holds its FIFOs read-write, like a fork-mode child: a write never fails while no daemon reads.
    for (const path of [message.out, message.err]) if (path) fds.push(openSync(path, constants.O_RDWR));
    // cluster.fork() merges its env argument over the primary's own environment: make that exactly the app's.
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, message.env);
    cluster.setupPrimary({
      exec: message.exec,
      args: message.args,
      execArgv: ['--import', message.preload ?? self, ...message.execArgv],
      cwd: message.cwd,
      stdio: ['ignore', message.out ? fds[0]! : 'ignore', message.err ? fds.at(-1)! : 'ignore', 'ipc'],
    });
    // node:cluster forks with process.execPath and has no setting for it: the worker runs the daemon's
    // Node, which is another than this primary's after `velos update` onto a new Node.
    process.execPath = message.execPath ?? ownExecPath;
    worker = cluster.fork();
  } catch (error) {
    send({ t: 'error', key, message: error instanceof Error ? error.message : String(error) });
    return;
  } finally {
    process.execPath = ownExecPath;
    for (const fd of fds) closeSync(fd);
  }
  const child = worker.process;
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (error) => send({ t: 'error', key, message: error.message }));
    return;
  }
  const state: WorkerState = {
    key,
    id: message.id,
    instance: message.instance,
    pid,
    lane: message.lane,
    startedAt: Date.now(),
    isCurrent: false,
    isListening: false,
    ports: [],
    isConnected: true,
  };
  workers.set(key, { worker, state });
  // node:cluster answers a worker's listen() over its channel: a worker that threw right after it is
  // gone by then, and the answer's EPIPE came as an 'error' no one handled, which ended the primary and
  // every other worker with it. The worker's 'exit' tells its end.
  worker.on('error', () => undefined);
  send({ t: 'online', key, pid, hasBootReport: true });
  // node:cluster's 'online' comes once the worker's Node has booted, before any of its code runs
  worker.once('online', () => send({ t: 'booted', key, pid }));
  worker.on('listening', (address) => {
    state.isListening = true;
    if (address.addressType !== -1 && !state.ports?.includes(address.port)) state.ports?.push(address.port);
    const where =
      address.addressType === -1 ? String(address.address) : `${address.address ?? '*'}:${address.port}`;
    send({ t: 'listening', key, pid, address: where });
  });
  worker.on('message', (data: unknown) => {
    if (data === 'ready') send({ t: 'ready', key, pid });
    else if (isProbeDoorMessage(data)) send({ t: 'probe-door', key, pid, port: data.velos_probe_door });
    else if (isProbeDoorFailedMessage(data))
      send({ t: 'probe-door-failed', key, pid, reason: data.velos_probe_door_failed });
    else if (isAppEvent(data)) send({ t: 'event', key, pid, event: data });
  });
  worker.on('disconnect', () => {
    state.isConnected = false;
    send({ t: 'disconnected', key, pid });
  });
  worker.on('exit', (code, signal) => {
    workers.delete(key);
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

/** A reload's new worker held off the shared port passed its probe: it listens there now (`worker-probe-door.ts`). */
function admit(worker: Worker | undefined): void {
  if (!worker?.isConnected()) return;
  const message: AdmitMessage = { velos_admit: true };
  try {
    worker.send(message);
  } catch {
    // the channel closed meanwhile: the worker is on its way out, the daemon sees its exit
  }
}

/** An app event (OBS-2) or custom metric report (OBS-6): an object with a string `velos_event` or `velos_metric`; the daemon validates and rate-limits it. */
function isAppEvent(data: unknown): data is Record<string, unknown> {
  if (typeof data !== 'object' || data === null) return false;
  const report = data as { velos_event?: unknown; velos_metric?: unknown };
  return typeof report.velos_event === 'string' || typeof report.velos_metric === 'string';
}

function shutdown(graceMs: number): void {
  if (isShuttingDown) return;
  isShuttingDown = true;
  if (workers.size === 0) process.exit(0);
  for (const { worker } of workers.values()) worker.process.kill('SIGTERM');
  setTimeout(() => {
    for (const { worker } of workers.values()) worker.process.kill('SIGKILL');
    process.exit(0);
  }, graceMs).unref();
}
