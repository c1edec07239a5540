import type {
  AppSpec,
  CommandMap,
  CommandName,
  JobRun,
  LogLine,
  LogsRequest,
  LogsResult,
  PingResult,
  ProcessDetail,
  ProcessInfo,
  StreamCommandMap,
  StreamCommandName,
  Subscription,
  VelosControl,
} from '@velos/core';
import type { Connection } from './connection.js';
import { connectDaemon, type DaemonLauncher } from './daemon-launcher.js';
import { socketPath } from './paths.js';
import { mapSubscription, StreamSubscription } from './stream-subscription.js';

/** Options of `createClient`. */
export interface ClientOptions {
  /** The Velos home directory whose `velos.sock` to connect to. */
  home: string;
  /** How to start the daemon when none is running; `false` or absent never starts one. */
  autoStart?: DaemonLauncher | false;
  /** Reject a request unanswered after this many ms with `TIMEOUT`; absent or 0 waits forever. */
  timeoutMs?: number;
}

/** `VelosControl` over the daemon's socket, plus typed access to every protocol command. */
export interface VelosClient extends VelosControl {
  /** Path of the socket this client talks to. */
  readonly socketPath: string;
  /** Sends one protocol command and resolves with its result. */
  request<C extends CommandName>(cmd: C, payload: CommandMap[C]['req']): Promise<CommandMap[C]['res']>;
  /** Opens a streaming command; iterate the subscription, `cancel()` to stop it. */
  stream<C extends StreamCommandName>(
    cmd: C,
    payload: StreamCommandMap[C]['req'],
  ): Subscription<StreamCommandMap[C]['item']>;
  /** Closes the connection; pending requests reject with `CONNECTION_CLOSED`. */
  close(): Promise<void>;
}

/**
 * Creates a client for the daemon of `options.home`; it connects (and auto-starts the daemon when
 * asked to) on the first request, and reconnects on the next request after a lost connection.
 * @example
 * const client = createClient({ home: '/home/me/.velos' });
 * console.log(await client.list());
 * await client.close();
 */
export function createClient(options: ClientOptions): VelosClient {
  return new IpcClient(options);
}

class IpcClient implements VelosClient {
  readonly socketPath: string;
  private current: Connection | null = null;
  private connecting: Promise<Connection> | null = null;

  constructor(private readonly options: ClientOptions) {
    this.socketPath = socketPath(options.home);
  }

  async request<C extends CommandName>(cmd: C, payload: CommandMap[C]['req']): Promise<CommandMap[C]['res']> {
    const connection = await this.connection();
    return (await connection.request(cmd, payload, this.options.timeoutMs)) as CommandMap[C]['res'];
  }

  stream<C extends StreamCommandName>(
    cmd: C,
    payload: StreamCommandMap[C]['req'],
  ): Subscription<StreamCommandMap[C]['item']> {
    type Item = StreamCommandMap[C]['item'];
    let inner: StreamSubscription<unknown> | null = null;
    // The connection may not be open yet: relay from the real stream once it is.
    const relay = new StreamSubscription<Item>(() => inner?.cancel());
    this.connection().then(
      async (connection) => {
        if (relay.isClosed) return;
        inner = connection.stream(cmd, payload);
        try {
          for await (const item of inner) relay.push(item as Item);
          relay.end();
        } catch (error) {
          relay.fail(error as Error);
        }
      },
      (error: Error) => relay.fail(error),
    );
    return relay;
  }

  async close(): Promise<void> {
    const { current, connecting } = this;
    this.current = null;
    this.connecting = null;
    await current?.close();
    const late = await connecting?.catch(() => null);
    await late?.close();
  }

  async ping(): Promise<PingResult> {
    return this.request('ping', {});
  }

  async start(apps: AppSpec[]): Promise<ProcessInfo[]> {
    return (await this.request('start', { apps })).processes;
  }

  async stop(target: string): Promise<ProcessInfo[]> {
    return (await this.request('stop', { target })).processes;
  }

  async restart(target: string, options: { env?: Record<string, string> } = {}): Promise<ProcessInfo[]> {
    const payload = options.env === undefined ? { target } : { target, env: options.env };
    return (await this.request('restart', payload)).processes;
  }

  async delete(target: string): Promise<ProcessInfo[]> {
    return (await this.request('delete', { target })).processes;
  }

  async list(): Promise<ProcessInfo[]> {
    return (await this.request('list', {})).processes;
  }

  async describe(target: string): Promise<ProcessDetail[]> {
    return (await this.request('describe', { target })).processes;
  }

  async logs(request: LogsRequest): Promise<LogLine[]> {
    return (await this.request('logs', request)).lines;
  }

  async logsResult(request: LogsRequest): Promise<LogsResult> {
    return this.request('logs', request);
  }

  followLogs(request: LogsRequest): Subscription<LogLine[]> {
    return mapSubscription(this.stream('logs.follow', request), (item) => item.lines);
  }

  async flush(target?: string): Promise<string[]> {
    return (await this.request('flush', target === undefined ? {} : { target })).flushed;
  }

  async reload(target: string, options: { env?: Record<string, string> } = {}): Promise<ProcessInfo[]> {
    const payload = options.env ? { target, env: options.env } : { target };
    return (await this.request('reload', payload)).processes;
  }

  async scale(name: string, instances: string): Promise<ProcessInfo[]> {
    return (await this.request('scale', { name, instances })).processes;
  }

  async runs(target: string, limit?: number): Promise<(JobRun & { id: number; name: string })[]> {
    return (await this.request('runs', limit === undefined ? { target } : { target, limit })).runs;
  }

  async trigger(target: string): Promise<ProcessInfo[]> {
    return (await this.request('trigger', { target })).processes;
  }

  async reloadLogs(target?: string): Promise<string[]> {
    return (await this.request('reloadLogs', target === undefined ? {} : { target })).reopened;
  }

  async save(): Promise<{ path: string; count: number }> {
    return this.request('save', {});
  }

  async resurrect(): Promise<ProcessInfo[]> {
    return (await this.request('resurrect', {})).processes;
  }

  async kill(): Promise<{ stopped: number }> {
    return this.request('kill', {});
  }

  private connection(): Promise<Connection> {
    if (this.current && !this.current.isClosed) return Promise.resolve(this.current);
    if (!this.connecting) {
      const attempt = connectDaemon(this.options.home, this.options.autoStart ?? false).then(
        ({ connection }) => {
          if (this.connecting === attempt) this.current = connection;
          return connection;
        },
      );
      this.connecting = attempt;
      const clear = () => {
        if (this.connecting === attempt) this.connecting = null;
      };
      attempt.then(clear, clear);
    }
    return this.connecting;
  }
}
