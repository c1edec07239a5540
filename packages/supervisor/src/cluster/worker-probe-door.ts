import net from 'node:net';
import { ListenHold, listenedPort } from './worker-listen-hold.js';

/** The worker's environment variable naming the port of the app's readiness probe (read, then removed). */
export const PROBE_PORT_ENV = 'VELOS_PROBE_PORT';
/** The worker's environment variable naming the ports it is held off until it is admitted, comma-separated (read, then removed). */
export const PROBE_HOLD_ENV = 'VELOS_PROBE_HOLD';

/** What a worker sends its primary once its probe door is open. */
export interface ProbeDoorMessage {
  velos_probe_door: number;
}

/** What a worker sends its primary when its probe door could not open: why. */
export interface ProbeDoorFailedMessage {
  velos_probe_door_failed: string;
}

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;

/**
 * Runs in a reload's new worker (preloaded with `--import`, SUP-6): a probe of the port the cluster
 * shares would be answered by any worker, so the worker opens a door of its own for the app's server
 * on the probed port, a loopback port no other worker shares, whose connections it hands to that
 * server (`'connection'`, as Node documents for injected connections); the daemon probes the new worker
 * there. Held (`PROBE_HOLD_ENV`: that port and the other ports the old worker listens on), a server's
 * `listen()` on those ports opens the door instead of joining the shared port, so that node:cluster
 * hands it no client while it warms up: the server says `'listening'` once the door is open, and
 * listens on the shared port when the primary admits it (its probe passed). Not held (a primary before admissions), the door opens once the server listens. The
 * door keeps no worker alive and closes with the server. A door that cannot open (no loopback, no file
 * descriptor left) is reported, and the servers held listen at once, as without the hold.
 */
export function installProbeDoor(): void {
  const port = Number(process.env[PROBE_PORT_ENV]);
  const heldPorts = new Set(
    (process.env[PROBE_HOLD_ENV] ?? '')
      .split(',')
      .map(Number)
      .filter((each) => Number.isInteger(each) && each > 0),
  );
  delete process.env[PROBE_PORT_ENV];
  delete process.env[PROBE_HOLD_ENV];
  if (!Number.isInteger(port) || port <= 0) return;
  if (heldPorts.size > 0) heldPorts.add(port);
  const listen = net.Server.prototype.listen as Listen;
  const hold = heldPorts.size > 0 ? new ListenHold(listen, openDoor, port) : null;
  let isOpened = false;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]): net.Server {
    if (hold?.isHolding && heldPorts.has(listenedPort(args) ?? 0)) {
      hold.hold(this, args);
      return this;
    }
    this.once('listening', () => {
      const address = this.address();
      if (hold || isOpened || typeof address !== 'object' || address?.port !== port) return;
      isOpened = true;
      const door = openDoor(
        (socket) => this.emit('connection', socket),
        () => undefined,
        () => undefined,
      );
      this.once('close', () => door.close());
    });
    return listen.apply(this, args);
  } as typeof net.Server.prototype.listen;
}

/** True for the message a worker sends when its probe door could not open. */
export function isProbeDoorFailedMessage(data: unknown): data is ProbeDoorFailedMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { velos_probe_door_failed?: unknown }).velos_probe_door_failed === 'string'
  );
}

/** True for the message `installProbeDoor` sends. */
export function isProbeDoorMessage(data: unknown): data is ProbeDoorMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { velos_probe_door?: unknown }).velos_probe_door === 'number'
  );
}

/** Opens a probe door whose connections go to `serve`: `onOpen` once it is open and reported, `onFail` when it cannot open. */
function openDoor(serve: (socket: net.Socket) => void, onOpen: () => void, onFail: () => void): net.Server {
  const door = net.createServer(serve);
  let isOpen = false;
  door.on('error', (error: NodeJS.ErrnoException) => {
    if (isOpen) return;
    isOpen = true;
    const message: ProbeDoorFailedMessage = { velos_probe_door_failed: error.code ?? error.message };
    process.send?.(message);
    onFail();
  });
  // exclusive: bound in this worker, not shared through the primary as the app's ports are
  door.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
    isOpen = true;
    door.unref();
    const address = door.address();
    if (typeof address !== 'object' || address === null) return;
    onOpen();
    const message: ProbeDoorMessage = { velos_probe_door: address.port };
    process.send?.(message);
  });
  return door;
}
