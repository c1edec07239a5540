import type { Socket } from 'node:net';

/** A message line longer than this ends the connection (a fork message carries a whole environment). */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * One JSON message per line over a stream socket: the control channel between the daemon and a
 * cluster primary (SUP-13). A line that does not parse is skipped; one over MAX_LINE_BYTES ends it.
 */
export class LineChannel<In, Out> {
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;

  constructor(
    readonly socket: Socket,
    onMessage: (message: In) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10)) {
        const line = Buffer.concat([...this.#buffered, chunk.subarray(0, at)]).toString('utf8');
        this.#buffered = [];
        this.#bufferedBytes = 0;
        chunk = chunk.subarray(at + 1);
        let message: In;
        try {
          message = JSON.parse(line) as In;
        } catch {
          continue;
        }
        onMessage(message);
      }
      if (chunk.length === 0) return;
      this.#buffered.push(chunk);
      this.#bufferedBytes += chunk.length;
      if (this.#bufferedBytes > MAX_LINE_BYTES) socket.destroy(new Error('control message too long'));
    });
    // errors end the connection; the owner sees 'close'
    socket.on('error', () => undefined);
  }

  /** Sends one message; false when the connection is closed. */
  send(message: Out): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(`${JSON.stringify(message)}\n`);
    return true;
  }

  /** True while messages can be sent. */
  isOpen(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Ends the connection. */
  close(): void {
    this.socket.destroy();
  }
}
