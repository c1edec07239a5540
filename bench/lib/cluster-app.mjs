// What the cluster scenarios share: a free port, the HTTP app started as N cluster instances under a
// manager, waits on its listed instances and on the PIDs the load generator has been answered by.
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appEnv, freshDir } from './scenario-kit.mjs';
import { waitFor } from './wait.mjs';

/** The plain HTTP app both cluster scenarios run (answers {pid, instance}; /crash exits 1). */
export const HTTP_APP = fileURLToPath(new URL('../fixtures/http-app.cjs', import.meta.url));

/** A bare Node cluster primary that re-forks a worker the moment it exits (the crash floor). */
export const CLUSTER_FLOOR = fileURLToPath(new URL('../fixtures/cluster-floor.cjs', import.meta.url));

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts HTTP_APP as `instances` cluster instances named `name` under `manager` through a config file
 * (`instances`, `exec_mode: cluster`, env PORT plus `env`), and resolves with the listed PIDs once all
 * are online and the port answers.
 */
export async function startClusterApp(ctx, manager, { name, port, instances, env = {} }) {
  const app = {
    name,
    script: HTTP_APP,
    instances,
    exec_mode: 'cluster',
    env: appEnv(ctx, { PORT: String(port), ...env }),
  };
  const file = join(
    freshDir(ctx, `${name}-config`),
    manager.name === 'pm2' ? 'ecosystem.json' : 'velos.json',
  );
  writeFileSync(file, `${JSON.stringify({ apps: [app] }, null, 2)}\n`);
  await manager.ensureDaemon();
  await manager.deleteAll();
  await manager.startConfig(file);
  const pids = await waitInstances(manager, name, instances);
  await waitAnswering(port);
  return pids;
}

/**
 * Polls the manager's list until `count` instances of `name` are online, none with a PID in `exclude`;
 * resolves with their PIDs.
 */
export function waitInstances(manager, name, count, { exclude = new Set(), timeoutMs = 120_000 } = {}) {
  return waitFor(
    async () => {
      const rows = (await manager.list()).filter((row) => row.name === name);
      const live = rows.filter((row) => row.status === 'online' && row.pid && !exclude.has(row.pid));
      return live.length === count && rows.length === count ? live.map((row) => row.pid) : null;
    },
    { timeoutMs, intervalMs: 100, what: `${count} ${manager.label} instances of ${name} online` },
  );
}

/**
 * Polls GET / on fresh connections until the port answers: a manager may list an instance online once
 * its worker runs, before its server listens, and a load started then would count refusals.
 */
export function waitAnswering(port, { timeoutMs = 60_000 } = {}) {
  return waitFor(() => getJson(port, '/').catch(() => null), {
    timeoutMs,
    intervalMs: 20,
    what: `port ${port} to answer`,
  });
}

/** Polls the load generator until every PID in `pids` has answered it; resolves with its snapshot. */
export function waitServed(load, pids, { timeoutMs = 30_000 } = {}) {
  return waitFor(
    async () => {
      const snapshot = await load.snapshot();
      const seen = new Set(snapshot.pids.map((entry) => entry.pid));
      return pids.every((pid) => seen.has(pid)) ? snapshot : null;
    },
    { timeoutMs, intervalMs: 20, what: `PIDs ${pids.join(', ')} to answer the load` },
  );
}

/** Waits until the load generator has sent `count` more requests than `snapshot` had. */
export async function waitSent(load, snapshot, count) {
  return waitFor(
    async () => {
      const now = await load.snapshot();
      return now.sent >= snapshot.sent + count ? now : null;
    },
    { timeoutMs: 60_000, intervalMs: 20, what: `${count} more requests sent` },
  );
}

/** GET `path` on a fresh connection; resolves with the parsed JSON answer. */
export function getJson(port, path) {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}
