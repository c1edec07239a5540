import { chmodSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { ErrorCodes, toErrorPayload, VelosError } from '@velos/core';
import { encodeFrame } from '@velos/core/codec';
import type { CommandDispatcher } from './command-dispatcher.js';
import { type ConnectionOptions, type FrameBudget, IpcConnection } from './ipc-connection.js';
import { DEFAULT_IPC_LIMITS, IPC_LIMIT_VARIABLES, type IpcLimits } from './ipc-limits.js';
import { hasOutputRoom, type OutputBudget } from './ipc-output.js';
import { listenOnPipe } from './listen-pipe.js';
import { createMemoryRelease } from './memory-release.js';

export type { CommandDispatcher, StreamSink } from './command-dispatcher.js';

/** Options of the IPC server. */
export interface IpcServerOptions {
  socketPath: string;
  dispatcher: CommandDispatcher;
  log?: (line: string) => void;
  /** Stream items held per connection while its socket is congested; beyond it the oldest are dropped. */
  maxQueuedItems?: number;
  /** Connection, frame and time limits; unset fields keep `DEFAULT_IPC_LIMITS`. */
  limits?: Partial<IpcLimits>;
  /** OBS-1: told each answer with its command, outcome and latency (see `ConnectionOptions.onAnswered`). */
  onAnswered?: ConnectionOptions['onAnswered'];
}

/** A listening IPC server. */
export interface IpcServer {
  /** Open connections. */
  readonly connections: number;
  /** True while the answers written to all clients and not yet read by them are over `maxUnsentBytes`. */
  readonly isOutputFull: boolean;
  /** OBS-4: connections against their cap, refusals since start, answer bytes not yet read. */
  stats(): IpcStats;
  /** Stops accepting, ends open streams, flushes and closes every connection (destroyed after 1 s). */
  close(): Promise<void>;
}

/** What the self-health reads of the IPC server. */
export interface IpcStats {
  connections: number;
  maxConnections: number;
  /** Connections refused at the cap since the server started. */
  refused: number;
  unsentBytes: number;
  maxUnsentBytes: number;
}

/** Refusals are logged at most this often, so a connection flood cannot flood daemon.log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Listens on a Unix socket (mode 0600) and serves framed requests (IPC-1/IPC-2): many in flight per
 * connection, streams with cancel, one `id: 0` error and a close for a bad frame, bounded memory
 * for slow stream readers (the oldest queued items are dropped and counted in `dropped`), and the
 * `IpcLimits`: a connection cap, a budget of unfinished frames, frame and idle timeouts, and
 * back-pressure per connection and over all of them (answers written but not yet read).
 */
export async function startIpcServer(options: IpcServerOptions): Promise<IpcServer> {
  const log = options.log ?? (() => undefined);
  const limits: IpcLimits = { ...DEFAULT_IPC_LIMITS, ...options.limits };
  // one collection a second after large unfinished frames are dropped or large answers sent
  const onLargeRelease = createMemoryRelease();
  const budget: FrameBudget = { usedBytes: 0, limitBytes: limits.maxPendingFrameBytes, onLargeRelease };
  const connections = new Set<IpcConnection>();
  const refusals = { count: 0, loggedAt: 0, total: 0 };
  const output: OutputBudget = {
    unsentBytes: 0,
    limitBytes: limits.maxUnsentBytes,
    onRoom: () => {
      for (const connection of connections) connection.pump();
    },
    onLargeRelease,
  };
  const connectionOptions: ConnectionOptions = {
    ...(options.onAnswered ? { onAnswered: options.onAnswered } : {}),
    dispatcher: options.dispatcher,
    limits,
    budget,
    output,
    maxQueuedItems: options.maxQueuedItems ?? 256,
    log,
  };
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (connections.size >= limits.maxConnections) {
      refuse(socket, limits.maxConnections);
      refusals.count += 1;
      refusals.total += 1;
      if (Date.now() - refusals.loggedAt >= REFUSAL_LOG_INTERVAL_MS) {
        log(
          `ipc: ${refusals.count} connection(s) refused: ${limits.maxConnections} already open (the limit)`,
        );
        refusals.loggedAt = Date.now();
        refusals.count = 0;
      }
      return;
    }
    const connection = new IpcConnection(socket, connectionOptions);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
  server.on('error', (error) => log(`ipc server error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
    listenOnPipe(server, options.socketPath);
  });
  chmodSync(options.socketPath, 0o600);
  const sweepMs = Math.max(
    10,
    Math.min(1000, limits.frameTimeoutMs / 4, limits.idleTimeoutMs / 4, limits.stallTimeoutMs / 4),
  );
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) connection.sweep(now);
  }, sweepMs);
  sweeper.unref();
  return {
    get connections() {
      return connections.size;
    },
    get isOutputFull() {
      return !hasOutputRoom(output);
    },
    stats: () => ({
      connections: connections.size,
      maxConnections: limits.maxConnections,
      refused: refusals.total,
      unsentBytes: output.unsentBytes,
      maxUnsentBytes: limits.maxUnsentBytes,
    }),
    async close() {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((connection) => connection.shutdown()));
      await closed;
    },
  };
}

/** Answers a connection over the cap with one `BUSY` error frame and closes it. */
function refuse(socket: Socket, maxConnections: number): void {
  socket.on('error', () => undefined);
  const error = new VelosError(
    ErrorCodes.BUSY,
    `the daemon already serves ${maxConnections} connections (its limit, ${IPC_LIMIT_VARIABLES.maxConnections}); close some and retry`,
    { data: { maxConnections } },
  );
  socket.end(encodeFrame({ id: 0, status: 'error', payload: toErrorPayload(error) }));
  setTimeout(() => socket.destroy(), 1000).unref();
}
