import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got. */
export interface ReceivedAlert {
  path: string;
  at: number;
  body: Record<string, unknown>;
}

/** How the receiver answers the n-th request (from 1) to a path: a status, or `hang` (never answers). */
export type Reply = (path: string, n: number) => number | 'hang';

/** A real local HTTP server standing in for Slack or a pager: it records every POST. */
export interface AlertReceiver {
  url: string;
  received: ReceivedAlert[];
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 (a free port); `reply` decides each answer (default 200). With `tls`
 * (PEM certificate and key) it speaks HTTPS.
 */
export async function startReceiver(
  reply: Reply = () => 200,
  tls?: { cert: Buffer; key: Buffer },
): Promise<AlertReceiver> {
  const received: ReceivedAlert[] = [];
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const handler: RequestListener = (request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      received.push({ path, at: Date.now(), body: JSON.parse(text) as Record<string, unknown> });
      const answer = reply(path, n);
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
