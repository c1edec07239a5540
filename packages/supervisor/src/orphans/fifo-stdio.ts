import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ensureFifos, fifoPath, hasFifos } from './run-files.js';

/** The stdout/stderr of one spawn: FIFOs when the process id has them, else plain pipes. */
export interface ChildStdio {
  /** The `stdio` option of `spawn`. */
  readonly stdio: StdioOptions;
  /** True when the child writes into FIFOs that outlive the daemon. */
  readonly isFifo: boolean;
  /** Closes the daemon's copies of the child's write ends: call right after `spawn`, whatever happened. */
  afterSpawn(): void;
  /** The streams the daemon reads, for the log pipeline. */
  streams(child: ChildProcess): { out: Readable; err: Readable };
  /** Drops the readers (the spawn failed). */
  cancel(): void;
}

/** The reader currently open on each FIFO path: a new run takes the FIFO over from the previous one. */
const readers = new Map<string, Socket>();

/**
 * Prepares the stdio of a spawn (SUP-13): the child's fd 1 and 2 are its id's FIFOs opened read-write,
 * so a write never fails with EPIPE even while no daemon reads, and the daemon reads them through
 * non-blocking sockets. Without a run directory, or before its FIFOs exist (they are then created
 * for the next run), the child gets plain pipes.
 */
export function childStdio(runDir: string | undefined, id: number, log: (line: string) => void): ChildStdio {
  if (runDir === undefined) return pipeStdio();
  if (!hasFifos(runDir, id)) {
    ensureFifos(runDir, [id]).catch((error) => log(`process ${id}: cannot create its stdio FIFOs: ${error}`));
    return pipeStdio();
  }
  const writeFds: number[] = [];
  const readFds: number[] = [];
  const paths = [fifoPath(runDir, id, 'out'), fifoPath(runDir, id, 'err')] as const;
  try {
    for (const path of paths) {
      // The write end first: a non-blocking reader opened without any writer would read EOF at once.
      writeFds.push(openSync(path, constants.O_RDWR));
      readFds.push(openFifoReaderFd(path));
    }
  } catch (error) {
    for (const fd of [...writeFds, ...readFds]) closeSync(fd);
    log(`process ${id}: cannot open its stdio FIFOs, using pipes: ${error}`);
    return pipeStdio();
  }
  let isClosed = false;
  let sockets: Socket[] | null = null;
  let isCancelled = false;
  return {
    stdio: ['ignore', writeFds[0]!, writeFds[1]!],
    isFifo: true,
    afterSpawn() {
      if (isClosed) return;
      isClosed = true;
      for (const fd of writeFds) closeSync(fd);
    },
    // The sockets are made after the spawn (issue 17): their fds are open, so nothing is lost meanwhile.
    streams() {
      sockets ??= paths.map((path, i) => fifoSocket(path, readFds[i]!));
      return { out: sockets[0]!, err: sockets[1]! };
    },
    cancel() {
      if (isCancelled) return;
      isCancelled = true;
      if (sockets) for (const socket of sockets) socket.destroy();
      else for (const fd of readFds) closeSync(fd);
    },
  };
}

/**
 * Opens a FIFO for reading without blocking the event loop or the thread pool, replacing the reader
 * a previous run of the same process may still hold (a grandchild kept its write end).
 */
export function openFifoReader(path: string): Socket {
  return fifoSocket(path, openFifoReaderFd(path));
}

/** Drops the previous reader of a FIFO and opens a non-blocking read end of it. */
function openFifoReaderFd(path: string): number {
  readers.get(path)?.destroy();
  readers.delete(path);
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** The socket the daemon reads a FIFO's read end `fd` through, registered as that FIFO's reader. */
function fifoSocket(path: string, fd: number): Socket {
  readers.get(path)?.destroy();
  const socket = new Socket({ fd, readable: true, writable: false });
  readers.set(path, socket);
  socket.once('close', () => {
    if (readers.get(path) === socket) readers.delete(path);
  });
  return socket;
}

function pipeStdio(): ChildStdio {
  return {
    stdio: ['ignore', 'pipe', 'pipe'],
    isFifo: false,
    afterSpawn: () => undefined,
    streams: (child) => ({ out: child.stdout!, err: child.stderr! }),
    cancel: () => undefined,
  };
}
