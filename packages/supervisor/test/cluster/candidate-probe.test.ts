import { createServer, type Server } from 'node:net';
import { NESTED_DEFAULTS, type ProbeSpec } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { probeCandidate } from '../../src/cluster/candidate-probe.js';
import { WorkerSlots } from '../../src/cluster/worker-slots.js';
import type { ProcessRecord } from '../../src/process-record.js';
import { appSpec } from '../helpers.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A TCP server on a free loopback port: the port the cluster shares. */
async function sharedPort(): Promise<number> {
  const server = createServer((socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return (server.address() as { port: number }).port;
}

describe("a reload's probe of its new worker", () => {
  it('runs as written on the shared port once a worker whose door could not open listens there', async () => {
    const port = await sharedPort();
    const probe: ProbeSpec = {
      kind: 'tcp',
      host: '127.0.0.1',
      port,
      intervalMs: 100,
      timeoutMs: 1000,
      failureThreshold: 3,
      successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
      initialDelayMs: 0,
    };
    const record = {
      id: 0,
      instance: 0,
      app: { spec: appSpec('/nowhere', { name: 'web' }) },
    } as ProcessRecord;
    const slots = new WorkerSlots();
    const slot = slots.add(1, record, 'candidate', 0);
    const probed = probeCandidate(slots, slot, probe, record, port, Date.now() + 3000);
    slot.probeDoorFailure = 'EMFILE';
    slots.notify(slot);
    slot.ports.add(port);
    slots.notify(slot);
    expect(await probed).toEqual({ outcome: 'ready', reason: null });
  });
});
