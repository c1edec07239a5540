import net from 'node:net';

/** The worker's environment variable naming the port of the app's readiness probe (read, then removed). */
export const PROBE_PORT_ENV = 'VELOS_PROBE_PORT';
/** The worker's environment variable that holds it off the probed port until it is admitted (read, then removed). */
export const PROBE_HOLD_ENV = 'VELOS_PROBE_HOLD';

/** What a worker sends its primary once its probe door is open. */
export interface ProbeDoorMessage {
  velos_probe_door: number;
}

/** What the primary sends a held worker once its probe passed: it may listen on the shared port now. */
export interface AdmitMessage {
  velos_admit: true;
}

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;

/**
 * Runs in a reload's new worker (preloaded with `--import`, SUP-6): a probe of the port the cluster
 * shares would be answered by any worker, so the worker opens a door of its own for the app's server
 * on the probed port, a loopback port no other worker shares, whose connections it hands to that
 * server (`'connection'`, as Node documents for injected connections); the daemon probes the new worker
 * there. Held (`PROBE_HOLD_ENV`), the server's `listen()` on that port opens the door instead of joining
 * the shared port, so that node:cluster hands it no client while it warms up: the server says
 * `'listening'` once the door is open, and listens on the shared port when the primary admits it (its
 * probe passed). Not held (a primary before admissions), the door opens once the server listens. The
 * door keeps no worker alive and closes with the server.
 */
export function installProbeDoor(): void {
  const port = Number(process.env[PROBE_PORT_ENV]);
  const isHeld = process.env[PROBE_HOLD_ENV] === '1';
  delete process.env[PROBE_PORT_ENV];
  delete process.env[PROBE_HOLD_ENV];
  if (!Number.isInteger(port) || port <= 0) return;
  const listen = net.Server.prototype.listen as Listen;
  let isOpened = false;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]): net.Server {
    if (isHeld && !isOpened && listenedPort(args) === port) {
      isOpened = true;
      holdListen(this, args, listen);
      return this;
    }
    this.once('listening', () => {
      const address = this.address();
      if (isOpened || typeof address !== 'object' || address?.port !== port) return;
      isOpened = true;
      openDoor(this, () => undefined);
    });
    return listen.apply(this, args);
  } as typeof net.Server.prototype.listen;
}

/** True for the message `installProbeDoor` sends. */
export function isProbeDoorMessage(data: unknown): data is ProbeDoorMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { velos_probe_door?: unknown }).velos_probe_door === 'number'
  );
}

/** True for the message that admits a held worker to the shared port. */
export function isAdmitMessage(data: unknown): data is AdmitMessage {
  return (
    typeof data === 'object' && data !== null && (data as { velos_admit?: unknown }).velos_admit === true
  );
}

function openDoor(target: net.Server, onOpen: () => void): net.Server {
  const door = net.createServer((socket) => target.emit('connection', socket));
  door.on('error', () => undefined);
  // exclusive: bound in this worker, not shared through the primary as the app's ports are
  door.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
    door.unref();
    const address = door.address();
    if (typeof address !== 'object' || address === null) return;
    onOpen();
    const message: ProbeDoorMessage = { velos_probe_door: address.port };
    process.send?.(message);
  });
  target.once('close', () => door.close());
  return door;
}

/**
 * The held `listen()`: the server is served through its door only, says `'listening'` (the app's
 * callback included) once the door is open, and `address()` gives the address it will listen on; once
 * admitted, it makes the `listen()` call the app made, whose `'listening'` reaches node:cluster (which
 * then tells the primary) but not the app's listeners a second time.
 */
function holdListen(server: net.Server, args: unknown[], listen: Listen): void {
  const callArgs = typeof args.at(-1) === 'function' ? args.slice(0, -1) : args;
  if (callArgs.length < args.length) server.once('listening', args.at(-1) as () => void);
  const address = heldAddress(callArgs);
  server.address = () => address;
  let isClosed = false;
  const door = openDoor(server, () => server.emit('listening'));
  const onMessage = (message: unknown): void => {
    if (!isAdmitMessage(message)) return;
    process.off('message', onMessage);
    if (isClosed) return;
    door.close();
    delete (server as Partial<net.Server>).address;
    const listeners = server.rawListeners('listening') as ((...a: unknown[]) => void)[];
    server.removeAllListeners('listening');
    const restore = (): void => {
      server.off('error', restore);
      server.off('listening', restore);
      for (const listener of listeners) server.on('listening', listener);
    };
    server.once('error', restore);
    listen.apply(server, callArgs);
    server.once('listening', restore);
  };
  // the channel listener keeps the worker alive only while it waits to be admitted
  process.on('message', onMessage);
  server.once('close', () => {
    isClosed = true;
    process.off('message', onMessage);
  });
}

/** The TCP port a `listen()` call names (a number, a numeric string or `{port}`), else null. */
function listenedPort(args: unknown[]): number | null {
  const [first] = args;
  const value = typeof first === 'object' && first !== null ? (first as { port?: unknown }).port : first;
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}

/** What `address()` says of a held server: the host and port its `listen()` names. */
function heldAddress(args: unknown[]): net.AddressInfo {
  const [first, second] = args;
  const options = typeof first === 'object' && first !== null ? (first as { host?: unknown }) : null;
  const host = options ? options.host : second;
  const address = typeof host === 'string' && host !== '' ? host : '::';
  return { address, family: net.isIPv4(address) ? 'IPv4' : 'IPv6', port: listenedPort(args) ?? 0 };
}
