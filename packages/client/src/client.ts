import {
  type CommandMap,
  type CommandName,
  createRemoteControl,
  type StreamCommandMap,
  type StreamCommandName,
  type Subscription,
  type VelosControl,
} from '@velos/core';
import { type Connection, isUndelivered } from './connection.js';
import { connectDaemon, type DaemonLauncher } from './daemon-launcher.js';
import { socketPath } from './paths.js';
import { StreamSubscription } from './stream-subscription.js';

/** Options of `createClient`. */
export interface ClientOptions {
  /** The Velos home directory whose `velos.sock` to connect to. */
  home: string;
  /** How to start the daemon when none is running; `false` or absent never starts one. */
  autoStart?: DaemonLauncher | false;
  /**
   * With `autoStart`: whether a reconnect after a lost connection may start the daemon too (default
   * true). Long-running clients (`velos monit`, `velos logs -f`) say false: they start the daemon at
   * most for their first connection, so a daemon stopped on purpose (`velos kill`) stays stopped, and
   * they reconnect once something else starts it.
   */
  autoStartOnReconnect?: boolean;
  /**
   * Reject a request unanswered after this many ms with `TIMEOUT` (its late answer is dropped); absent
   * or 0 waits forever. A function gives each command its own bound.
   */
  timeoutMs?: number | RequestTimeout;
}

/**
 * The bound in ms of one command's answer, from its name and payload; undefined or 0 waits forever.
 * A promise is awaited before the command is sent (a bound read from the daemon: the targets' own
 * timeouts); its rejection is the request's.
 */
export type RequestTimeout = (
  cmd: string,
  payload: unknown,
) => number | undefined | Promise<number | undefined>;

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
 * asked to) on the first request, and reconnects on the next request after a lost connection (a
 * reconnect starts the daemon only while `autoStartOnReconnect` is not false).
 * @example
 * const client = createClient({ home: '/home/me/.velos' });
 * console.log(await client.list());
 * await client.close();
 */
export function createClient(options: ClientOptions): VelosClient {
  const connection = new ClientConnection(options);
  return {
    // every `VelosControl` method, derived from the protocol's command table
    ...createRemoteControl(connection),
    socketPath: connection.socketPath,
    request: (cmd, payload) => connection.request(cmd, payload) as Promise<CommandMap[typeof cmd]['res']>,
    stream: (cmd, payload) =>
      connection.stream(cmd, payload) as Subscription<StreamCommandMap[typeof cmd]['item']>,
    close: () => connection.close(),
  };
}

/** The daemon connection behind a client: opened on the first command, reopened after a loss. */
class ClientConnection {
  readonly socketPath: string;
  private current: Connection | null = null;
  private connecting: Promise<Connection> | null = null;
  private hasConnected = false;

  constructor(private readonly options: ClientOptions) {
    this.socketPath = socketPath(options.home);
  }

  async request(cmd: string, payload: unknown): Promise<unknown> {
    const connection = await this.connection();
    const { timeoutMs } = this.options;
    const bound = typeof timeoutMs === 'function' ? timeoutMs(cmd, payload) : timeoutMs;
    const boundMs = bound instanceof Promise ? await bound : bound;
    try {
      return await connection.request(cmd, payload, boundMs);
    } catch (error) {
      // the daemon had gone (a restart, `velos update`) before the request reached it, and this
      // connection had not seen its end yet: the request was never read, so it goes once more on a new one
      if (!isUndelivered(error)) throw error;
      if (this.current === connection) this.current = null;
      return (await this.connection()).request(cmd, payload, boundMs);
    }
  }

  stream(cmd: string, payload: unknown): Subscription<unknown> {
    let inner: StreamSubscription<unknown> | null = null;
    // While the relay's consumer is behind, the relay stops taking items from the real stream, whose
    // connection then stops reading its socket (back-pressure, see StreamSubscription).
    let caughtUp: (() => void) | null = null;
    const onFull = (isFull: boolean) => {
      if (isFull) return;
      caughtUp?.();
      caughtUp = null;
    };
    // The connection may not be open yet: relay from the real stream once it is.
    const relay = new StreamSubscription<unknown>(() => inner?.cancel(), onFull);
    this.connection().then(
      async (connection) => {
        if (relay.isClosed) return;
        inner = connection.stream(cmd, payload);
        try {
          for await (const item of inner) {
            relay.push(item);
            if (relay.isBehind) await new Promise<void>((resolve) => (caughtUp = resolve));
          }
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

  private connection(): Promise<Connection> {
    if (this.current && !this.current.isClosed) return Promise.resolve(this.current);
    if (!this.connecting) {
      const { autoStart = false, autoStartOnReconnect = true } = this.options;
      const launcher = this.hasConnected && !autoStartOnReconnect ? false : autoStart;
      const attempt = connectDaemon(this.options.home, launcher).then(({ connection }) => {
        this.hasConnected = true;
        if (this.connecting === attempt) this.current = connection;
        return connection;
      });
      this.connecting = attempt;
      const clear = () => {
        if (this.connecting === attempt) this.connecting = null;
      };
      attempt.then(clear, clear);
    }
    return this.connecting;
  }
}
