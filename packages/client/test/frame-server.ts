import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isVelosError, type RequestMessage, type ResponseMessage, type VelosError } from '@velos/core';
import { encodeFrame, FrameDecoder } from '@velos/core/codec';
import { makeTempHome, rejectionOf, waitFor as waitForTruthy } from '@velos/test-helpers';

/** A real Unix-socket server speaking the frame protocol, driven by each test's handler. */
export interface FrameServer {
  home: string;
  received: RequestMessage[];
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export type Reply = (response: ResponseMessage) => void;
export type Handler = (request: RequestMessage, reply: Reply, socket: Socket) => void;

export async function startFrameServer(handler: Handler): Promise<FrameServer> {
  const home = makeTempHome('velos-client-').path;
  const received: RequestMessage[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const message of decoder.push(chunk)) {
        const request = message as RequestMessage;
        received.push(request);
        handler(request, (response) => socket.write(encodeFrame(response)), socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(join(home, 'velos.sock'), resolve));
  return {
    home,
    received,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true or the deadline passes (10 s unless told). */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  await waitForTruthy(check, { what: 'the condition', timeoutMs, intervalMs: 10 });
}

/** The VelosError `promise` rejects with; throws when it resolves or rejects with something else. */
export function rejection(promise: Promise<unknown>): Promise<VelosError> {
  return rejectionOf(promise, isVelosError);
}
