import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DaemonHealth, VelosControl, VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, REPO_ROOT, velos, velosOk, waitFor } from './helpers.js';

const sockets: Socket[] = [];
const clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await cleanupHomes();
});

const COMPONENTS = ['alerts', 'ipc', 'event-loop', 'logs', 'disk', 'monitor', 'state', 'scheduler'];
/** More free bytes than any disk has: the disk component can only be below it. */
const HUGE = String(10 ** 18);

/** `velos health --json` (any exit status), parsed. */
async function healthJson(
  home: string,
): Promise<{ code: number | null; health: DaemonHealth; stderr: string }> {
  const result = await velos(['health', '--json'], { home });
  return { code: result.code, health: JSON.parse(result.stdout) as DaemonHealth, stderr: result.stderr };
}

/** A client of the home's daemon (the @velos/client the CLI uses), never starting one. */
async function clientOf(home: string): Promise<VelosControl> {
  const url = pathToFileURL(join(REPO_ROOT, 'packages/client/dist/index.js')).href;
  const { createClient } = (await import(url)) as typeof import('@velos/client');
  const client = createClient({ home, autoStart: false });
  clients.push(client);
  return client;
}

/** Opens a raw connection to the daemon's socket and keeps it open (it counts against the cap). */
function holdConnection(home: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(join(home, 'velos.sock'));
    sockets.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function daemonEvents(client: VelosControl): Promise<VelosEvent[]> {
  return (await client.events({ kinds: ['daemon.degraded', 'daemon.recovered'] })).events;
}

describe('velos health (OBS-4)', () => {
  it('exits 3 with a clear message when no daemon answers, and starts none', async () => {
    const home = createHome();
    const result = await velos(['health'], { home });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^velos: no Velos daemon answers for .+/);
    expect(result.stdout).toBe('');
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
    expect(existsSync(join(home, 'velos.pid'))).toBe(false);
  });

  it('a healthy daemon: exit 0, a table, and --json with every component', async () => {
    const home = createHome();
    await velosOk(['ping'], { home });
    // the event loop of a daemon on a machine under the full suite's load may lag past 200 ms
    const text = await velos(['health'], { home });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^daemon (healthy|degraded)\ncomponent\s+status\s+reason\n/);
    for (const name of COMPONENTS.filter((n) => n !== 'event-loop')) {
      expect(text.stdout).toMatch(new RegExp(`^${name}\\s+healthy`, 'm'));
    }
    const { code, health } = await healthJson(home);
    expect(code).toBe(0);
    expect(health.at).toBeGreaterThan(Date.now() - 60_000);
    expect(health.components.map((c) => c.name)).toEqual(COMPONENTS);
    for (const component of health.components) {
      expect(component).toMatchObject({
        status: component.name === 'event-loop' ? expect.stringMatching(/healthy|degraded/) : 'healthy',
        reason: expect.any(String),
      });
    }
    expect(health.components.find((c) => c.name === 'disk')?.value).toBeGreaterThan(0);
    const ai = JSON.parse((await velosOk(['health', '--ai'], { home })).stdout);
    const bad: { n: string }[] = ai.bad ?? [];
    expect(ai.bad).not.toEqual([]); // left out when empty
    expect([...ai.ok, ...bad.map((c) => c.n)].sort()).toEqual([...COMPONENTS].sort());
    expect(ai.ok).toContain('disk');
  });

  it('degraded (free disk under VELOS_HEALTH_DISK_MIN_BYTES) still exits 0; unhealthy exits 2', async () => {
    const home = createHome();
    await velosOk(['ping'], { home, env: { VELOS_HEALTH_DISK_MIN_BYTES: HUGE } });
    const degraded = await healthJson(home);
    expect(degraded.code).toBe(0);
    expect(degraded.health.status).toBe('degraded');
    expect(degraded.health.components.find((c) => c.name === 'disk')).toMatchObject({
      status: 'degraded',
      reason: expect.stringMatching(/free of .*, below/),
    });
    const ai = JSON.parse((await velosOk(['health', '--ai'], { home })).stdout);
    expect(ai).toMatchObject({ s: 'degraded', bad: [{ n: 'disk', s: 'degraded' }] });
    const client = await clientOf(home);
    const [event] = await daemonEvents(client);
    expect(event).toMatchObject({
      kind: 'daemon.degraded',
      severity: 'warning',
      fields: { status: 'degraded', components: expect.stringContaining('disk') },
    });

    const sick = createHome();
    await velosOk(['ping'], { home: sick, env: { VELOS_HEALTH_DISK_CRITICAL_BYTES: HUGE } });
    const unhealthy = await healthJson(sick);
    expect(unhealthy.code).toBe(2);
    expect(unhealthy.health.status).toBe('unhealthy');
    expect(unhealthy.stderr).toMatch(/^velos: the daemon is unhealthy: (.+; )?disk: .+ free of /);
    const text = await velos(['health'], { home: sick });
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^daemon unhealthy\n/);
  });

  it('publishes daemon.degraded and daemon.recovered on its own as IPC nears its connection cap and frees up', async () => {
    const home = createHome();
    await velosOk(['ping'], {
      home,
      env: { VELOS_IPC_MAX_CONNECTIONS: '5', VELOS_HEALTH_INTERVAL_MS: '200' },
    });
    const client = await clientOf(home);
    expect(await daemonEvents(client)).toEqual([]);
    // the client and 3 held connections: 4 of 5, over 80 % of the cap
    for (let i = 0; i < 3; i += 1) await holdConnection(home);
    const degraded = await waitFor(
      async () => (await daemonEvents(client)).find((e) => e.kind === 'daemon.degraded'),
      { message: 'daemon.degraded', timeoutMs: 15_000 },
    );
    expect(degraded).toMatchObject({
      severity: 'warning',
      fields: { status: 'degraded', components: 'ipc' },
    });
    expect(degraded.message).toMatch(/ipc: 4\/5 connections, near the cap/);
    for (const socket of sockets.splice(0)) socket.destroy();
    const recovered = await waitFor(
      async () => (await daemonEvents(client)).find((e) => e.kind === 'daemon.recovered'),
      { message: 'daemon.recovered', timeoutMs: 15_000 },
    );
    expect(recovered).toMatchObject({ severity: 'info', fields: { status: 'healthy', from: 'degraded' } });
    expect(recovered.seq).toBeGreaterThan(degraded.seq);
    // the daemon's state, over the client already open (the CLI's answer is checked by the tests above)
    expect((await client.health()).status).toBe('healthy');
  });
});
