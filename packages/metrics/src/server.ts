import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { VelosControl } from '@velos/core';
import { createExpositionCollector } from './collect-exposition.js';
import { PROMETHEUS_CONTENT_TYPE } from './render-prometheus.js';

/**
 * Connections the endpoint holds at once; past it new ones are closed at once. Prometheus keeps one per
 * target: the bound keeps a flood of idle connections from taking the daemon's file descriptors.
 */
export const MAX_SCRAPE_CONNECTIONS = 64;
/**
 * A connection that has sent no request, or not a whole request's headers, within this is closed
 * (Node holds an idle new connection for the keep-alive timeout, 65 s here, and slow headers 60 s).
 */
const FIRST_REQUEST_TIMEOUT_MS = 5000;

/** Options of `createMetricsServer`. */
export interface MetricsServerOptions {
  control: Pick<VelosControl, 'metrics'>;
  /** Default 127.0.0.1: the figures name every app; expose them wider on purpose only. */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
}

/** A listening `/metrics` endpoint. */
export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9615/metrics. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * OBS-1: serves `GET /metrics` (HEAD too) on node:http, reading `control.metrics()` and the apps'
 * `metrics_url` at each scrape; 404 elsewhere, 405 for other methods. Rejects when it cannot bind.
 * @example
 * const server = await createMetricsServer({ control, port: 9615 });
 */
export async function createMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const collect = createExpositionCollector(options.control);
  // the timers closing connections that send nothing (Node's headers timeout is the one of a partial request)
  const silent = new WeakMap<Socket, NodeJS.Timeout>();
  // the idle check runs every second (Node's default is 30 s), so that the headers timeout holds
  const server: Server = createServer({ connectionsCheckingInterval: 1000 }, (request, response) => {
    clearTimeout(silent.get(request.socket));
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: the metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed\n');
      return;
    }
    collect().then(
      (text) => {
        const body = Buffer.from(text);
        response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': body.length });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        response.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${why}\n`);
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = FIRST_REQUEST_TIMEOUT_MS;
  server.requestTimeout = FIRST_REQUEST_TIMEOUT_MS * 2;
  server.maxConnections = MAX_SCRAPE_CONNECTIONS;
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), FIRST_REQUEST_TIMEOUT_MS);
    timer.unref();
    silent.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/metrics`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
