import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetricsServer, MAX_SCRAPE_CONNECTIONS, type MetricsServer } from '../src/server.js';
import { sampleSnapshot } from './sample-snapshot.js';

const servers: MetricsServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await server.close();
});

describe('the /metrics server', () => {
  it('holds a bounded number of connections, drops those that send no request, and scrapes again after a flood', async () => {
    const server = await createMetricsServer({
      control: { metrics: async () => sampleSnapshot(1) },
      port: 0,
    });
    servers.push(server);
    // a flood of idle connections (a port scan, a stuck client): each one would be a file descriptor of the daemon
    const flood = MAX_SCRAPE_CONNECTIONS + 40;
    let closed = 0;
    for (let i = 0; i < flood; i += 1) {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      // read what the server may send before it closes (Node's own headers timeout answers 408 first):
      // a socket nobody reads never sees the end, and never closes
      socket.resume();
      socket.on('close', () => {
        closed += 1;
      });
      sockets.push(socket);
    }
    await vi.waitFor(() => expect(closed).toBeGreaterThanOrEqual(40), { timeout: 5000, interval: 20 });
    // the ones within the bound that never send a request go too, long before Node's 60 s
    await vi.waitFor(() => expect(closed).toBe(flood), { timeout: 15_000, interval: 100 });
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('velos_daemon_info');
  }, 20_000);
});
