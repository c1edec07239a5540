import type { Server } from 'node:net';

/** `net.Server`'s legacy `_listen2(address, port, addressType, backlog)`: bind, listen, `listening` next tick. */
type LegacyListen = (address: string, port: number, addressType: number, backlog: number) => void;

/** The backlog `server.listen()` gives a pipe when none is asked for (the kernel makes it 512). */
const PIPE_BACKLOG = 511;

/**
 * Listens on the Unix socket (or Windows pipe) `path` as `server.listen(path)` does in a process that is
 * no cluster worker, without loading Node's `cluster` module: `listen()` loads it on every call to ask
 * whether this process is a worker, and its five modules cost the idle daemon ~0.4 MB of RSS. It calls
 * the step `listen()` runs next, kept by Node under its legacy name `_listen2`; a Node without it gets
 * `listen()`. Reports as `listen()` does: `listening` or `error` on the server, after this returns.
 */
export function listenOnPipe(server: Server, path: string): void {
  const legacyListen = (server as unknown as { _listen2?: LegacyListen })._listen2;
  if (typeof legacyListen !== 'function') {
    server.listen(path);
    return;
  }
  // what listen() sets before it asks the cluster module: server.address() answers the path
  (server as unknown as { _pipeName: string })._pipeName = path;
  legacyListen.call(server, path, -1, -1, PIPE_BACKLOG);
}
