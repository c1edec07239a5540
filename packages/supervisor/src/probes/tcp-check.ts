import { connect } from 'node:net';
import type { ProbeCheck } from '@velos/core';
import { describeNetError } from './check-error.js';

type TcpCheck = Extract<ProbeCheck, { kind: 'tcp' }>;

/** One TCP connect: passes (null) once the connection is established, else returns why it failed. */
export function checkTcp(check: TcpCheck, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: check.host, port: check.port });
    const onAbort = () => socket.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (reason: string | null) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => finish(null));
    socket.once('error', (error) => finish(describeNetError(error)));
    socket.once('close', () => finish(signal.aborted ? 'aborted' : 'connection closed'));
  });
}
