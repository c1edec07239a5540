import net from 'node:net';

/** The worker's environment variable naming the port of the app's readiness probe (read, then removed). */
export const PROBE_PORT_ENV = 'VELOS_PROBE_PORT';

/** What a worker sends its primary once its probe door is open. */
export interface ProbeDoorMessage {
  velos_probe_door: number;
}

/**
 * Runs in a reload's new worker (preloaded with `--import`, SUP-6): a probe of the port the cluster
 * shares would be answered by any worker, so once the app's server listens on the probed port, the worker
 * opens a door of its own, a loopback port no other worker shares, whose connections it hands to that
 * server (`'connection'`, as Node documents for injected connections); the daemon probes the new worker
 * there. The door keeps no worker alive and closes with the server.
 */
export function installProbeDoor(): void {
  const port = Number(process.env[PROBE_PORT_ENV]);
  delete process.env[PROBE_PORT_ENV];
  if (!Number.isInteger(port) || port <= 0) return;
  const listen = net.Server.prototype.listen;
  let isOpened = false;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]): net.Server {
    this.once('listening', () => {
      const address = this.address();
      if (isOpened || typeof address !== 'object' || address?.port !== port) return;
      isOpened = true;
      openDoor(this);
    });
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof net.Server.prototype.listen;
}

function openDoor(target: net.Server): void {
  const door = net.createServer((socket) => target.emit('connection', socket));
  door.on('error', () => undefined);
  // exclusive: bound in this worker, not shared through the primary as the app's ports are
  door.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
    door.unref();
    const address = door.address();
    if (typeof address !== 'object' || address === null) return;
    const message: ProbeDoorMessage = { velos_probe_door: address.port };
    process.send?.(message);
  });
  target.once('close', () => door.close());
}

/** True for the message `installProbeDoor` sends. */
export function isProbeDoorMessage(data: unknown): data is ProbeDoorMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { velos_probe_door?: unknown }).velos_probe_door === 'number'
  );
}
