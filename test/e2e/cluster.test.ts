import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  clearApps,
  errLog,
  homeProcesses,
  isAlive,
  type ListRow,
  listState,
  outLog,
  readLines,
  rowsNamed,
  sharedHome,
  startApps,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

/** A row of `velos list --json` with the cluster fields these tests read. */
type ClusterRow = ListRow & { instance: number; execMode: 'fork' | 'cluster'; lastExitReason: string | null };

/** One GET; resolves with the answering pid, rejects on any transport error or bad status. */
function get(port: number, agent: Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        else resolve((JSON.parse(body) as { pid: number }).pid);
      });
      res.on('error', reject);
    });
    req.once('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}

/** One GET: its status and the answering pid; rejects on a transport error (a refused or reset connection). */
function answer(port: number, agent: Agent | false): Promise<{ status: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, pid: (JSON.parse(body) as { pid: number }).pid }),
      );
      res.on('error', reject);
    });
    req.once('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}

/** Paced HTTP load: `loops` clients, half keep-alive and half fresh connections, until `stop()`. */
function startLoad(port: number, loops: number, pauseMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const errors: string[] = [];
  const pids = new Set<number>();
  let ok = 0;
  let isRunning = true;
  const startedAt = Date.now();
  const clients = Array.from({ length: loops }, async (_, i) => {
    while (isRunning) {
      try {
        pids.add(await get(port, i % 2 === 0 ? agent : false));
        ok += 1;
      } catch (error) {
        errors.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  });
  return {
    pids,
    /** Requests answered so far. */
    answered: () => ok,
    async stop() {
      isRunning = false;
      await Promise.all(clients);
      agent.destroy();
      return { ok, errors, perSecond: ok / ((Date.now() - startedAt) / 1000) };
    },
  };
}

async function clusterRows(home: string, name: string): Promise<ClusterRow[]> {
  return (await rowsNamed(home, name)) as ClusterRow[];
}

async function waitOnline(home: string, name: string, count: number): Promise<ClusterRow[]> {
  return waitFor(
    async () => {
      const rows = await clusterRows(home, name);
      return rows.length === count && rows.every((row) => row.status === 'online') && rows;
    },
    { message: `${count} instances of ${name} online` },
  );
}

describe('cluster mode and zero-downtime reload (SUP-5, SUP-6)', () => {
  // One daemon for the block: each test runs apps of its own names on ports of its own, and finds the
  // list empty (a test that failed before its end leaves nothing to the next).
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('reloads a 4-instance cluster app twice, then scales it down to 2, under HTTP load with no failed request', async () => {
    const home = shared();
    const port = await freePort();
    await velosOk(['start', 'fixtures/cluster-server.js', '--name', 'web', '-i', '4'], {
      home,
      env: { PORT: String(port) },
    });
    const before = await waitOnline(home, 'web', 4);
    expect(before.map((row) => row.execMode)).toEqual(['cluster', 'cluster', 'cluster', 'cluster']);
    await waitFor(() => get(port, false), { message: `port ${port} answering` });

    const load = startLoad(port, 8, 40);
    await waitFor(() => load.pids.size >= 2, { message: 'two workers answering' });
    for (let i = 0; i < 2; i++) await velosOk(['reload', 'web'], { home, timeoutMs: 60_000 });
    await waitFor(() => load.pids.size >= 8 + 2, { message: 'new workers answering' }).catch(() => undefined);
    // the removed workers leave the port and finish their requests before their stop signal (a request
    // they had accepted was cut: 0-5 connection resets a scale-down)
    await velosOk(['scale', 'web', '2'], { home });
    const served = load.answered();
    await waitFor(() => load.answered() >= served + 40, { message: 'requests after the scale-down' });
    const result = await load.stop();

    expect(result.errors).toEqual([]);
    expect(result.ok).toBeGreaterThan(100);
    const after = await clusterRows(home, 'web');
    expect(after.map((row) => [row.status, row.restarts, row.lastExitReason])).toEqual(
      Array(2).fill(['online', 2, 'reload']),
    );
    const oldPids = before.map((row) => row.pid!);
    for (const row of after) expect(oldPids).not.toContain(row.pid);
    for (const pid of oldPids) expect(isAlive(pid)).toBe(false);
    expect(after.some((row) => load.pids.has(row.pid!))).toBe(true);
  });

  it('reloads workers that never listen: past listen_timeout the new worker replaces the old one, as PM2', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quiet', '-i', '2', '--listen-timeout', '1s'], {
      home,
    });
    const before = await waitOnline(home, 'quiet', 2);
    const result = await velos(['reload', 'quiet'], { home });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const after = await clusterRows(home, 'quiet');
    expect(after.map((row) => [row.status, row.restarts, row.lastExitReason])).toEqual(
      Array(2).fill(['online', 1, 'reload']),
    );
    const oldPids = before.map((row) => row.pid!);
    for (const row of after) expect(oldPids).not.toContain(row.pid);
    await waitFor(() => oldPids.every((pid) => !isAlive(pid)), { message: 'old workers stopped' });
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(
      /was not listening within listen_timeout 1000 ms: taken as ready/,
    );
  });

  it('fails a reload whose new worker exits before it listens, keeping the old workers serving', async () => {
    const home = shared();
    const port = await freePort();
    await velosOk(['start', 'fixtures/cluster-server.js', '--name', 'slow', '-i', '2'], {
      home,
      env: { PORT: String(port) },
    });
    const before = await waitOnline(home, 'slow', 2);
    await waitFor(() => get(port, false), { message: `port ${port} answering` });
    const result = await velos(['reload', 'slow', '--update-env'], {
      home,
      env: { PORT: String(port), EXIT_BEFORE_LISTEN: '1' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/exited before it was listening; the old worker/);
    const after = await clusterRows(home, 'slow');
    expect(after.map((row) => row.pid)).toEqual(before.map((row) => row.pid));
    expect(before.map((row) => row.pid)).toContain(await get(port, false));
    expect(
      readLines(errLog(home, 'slow')).some((line) => line.includes('exited before it was listening')),
    ).toBe(true);
    // the env of the failed reload is not kept: a later restart or crash runs as the old workers do
    expect((await velosOk(['env', 'slow'], { home })).stdout).not.toMatch(/EXIT_BEFORE_LISTEN/);
  });

  it('reloads an app with a readiness probe once the probe passes on the new worker, which gets no client before: the old one serves meanwhile', async () => {
    const home = shared();
    const port = await freePort();
    // every worker answers 503 (its /ready too) for 1 s after it listens
    await startApps(home, [
      {
        script: 'fixtures/cluster-server.js',
        name: 'warm',
        exec_mode: 'cluster',
        instances: 1,
        env: { PORT: String(port), WARMUP_MS: '1000' },
        readiness_probe: { http: `http://127.0.0.1:${port}/ready`, interval: 200 },
      },
    ]);
    const [before] = await waitOnline(home, 'warm', 1);
    await waitFor(() => get(port, false).catch(() => false), { message: `port ${port} serving` });

    // two clients, one keep-alive, one not, until the reload answered
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const answers: { status: number; pid: number }[] = [];
    const failures: string[] = [];
    let isReloading = true;
    const clients = [agent, false as const].map(async (via) => {
      while (isReloading) {
        await answer(port, via).then(
          (got) => answers.push(got),
          (error: Error) => failures.push(error.message),
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    await velosOk(['reload', 'warm'], { home });
    isReloading = false;
    await Promise.all(clients);
    agent.destroy();

    // no connection refused or reset: every request was answered
    expect(failures).toEqual([]);
    const [after] = await clusterRows(home, 'warm');
    expect([after?.status, after?.restarts, after?.lastExitReason]).toEqual(['online', 1, 'reload']);
    expect(after?.pid).not.toBe(before?.pid);
    // the new worker is held off the shared port until the probe passed at its door: no client saw its
    // 503s (before the hold, node:cluster gave it its share from its listen() on), the old worker answered
    expect(answers.filter((got) => got.status !== 200)).toEqual([]);
    expect(answers.filter((got) => got.pid === before?.pid).length).toBeGreaterThanOrEqual(5);
    await waitFor(() => !isAlive(before!.pid!), { message: 'the old worker stopped' });
    expect(await get(port, false)).toBe(after?.pid);
    // the app's listen() callback ran once, with the shared port as its server's address
    expect(readLines(outLog(home, 'warm')).filter((line) => line.includes(`pid ${after?.pid}`))).toEqual([
      `listening on ${port} pid ${after?.pid}`,
    ]);
  });

  it('holds the new worker off the shared ports until an exec readiness probe passes: no client sees it warm up', async () => {
    const home = shared();
    const port = await freePort();
    const port2 = await freePort();
    const warmFile = join(home, 'warm');
    // every worker answers 503 for 1 s after it listens (on both ports), then writes the file the probe checks
    await startApps(home, [
      {
        script: 'fixtures/cluster-server.js',
        name: 'warmexec',
        exec_mode: 'cluster',
        instances: 1,
        env: { PORT: String(port), PORT2: String(port2), WARMUP_MS: '1000', WARM_FILE: warmFile },
        readiness_probe: { exec: `test -f '${warmFile}'`, interval: 200 },
      },
    ]);
    const [before] = await waitOnline(home, 'warmexec', 1);
    await waitFor(() => get(port, false).catch(() => false), { message: `port ${port} serving` });

    await waitFor(() => get(port2, false).catch(() => false), { message: `port ${port2} serving` });
    const load = startLoad(port, 2, 10);
    const load2 = startLoad(port2, 2, 10);
    await velosOk(['reload', 'warmexec'], { home });
    const { errors } = await load.stop();
    const { errors: errors2 } = await load2.stop();
    const [after] = await clusterRows(home, 'warmexec');
    expect([after?.status, after?.restarts, after?.lastExitReason]).toEqual(['online', 1, 'reload']);
    // no 503 of the new worker's warm-up, no refused connection: the old worker served until the probe passed
    expect([errors, errors2]).toEqual([[], []]);
    expect(readFileSync(warmFile, 'utf8')).toBe(String(after?.pid));
    await waitFor(() => !isAlive(before!.pid!), { message: 'the old worker stopped' });
    expect(await get(port, false)).toBe(after?.pid);
  });

  it("reloads an app whose exec probe requests the app's own port: the old worker answers it while the new one is held", async () => {
    const home = shared();
    const port = await freePort();
    const request = `require('http').get('http://127.0.0.1:${port}/', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))`;
    await startApps(home, [
      {
        script: 'fixtures/cluster-server.js',
        name: 'selfcheck',
        exec_mode: 'cluster',
        instances: 1,
        listen_timeout: 3000,
        env: { PORT: String(port) },
        readiness_probe: { exec: `"${process.execPath}" -e "${request}"`, interval: 200 },
      },
    ]);
    const [before] = await waitOnline(home, 'selfcheck', 1);
    await waitFor(() => get(port, false).catch(() => false), { message: `port ${port} serving` });
    const result = await velos(['reload', 'selfcheck'], { home });
    expect([result.code, result.stderr]).toEqual([0, '']);
    const [after] = await clusterRows(home, 'selfcheck');
    expect(after?.pid).not.toBe(before?.pid);
    expect(await get(port, false)).toBe(after?.pid);
  });

  it('fails the reload of a new worker that never passes its readiness probe, keeping the old worker serving', async () => {
    const home = shared();
    const port = await freePort();
    await startApps(home, [
      {
        script: 'fixtures/cluster-server.js',
        name: 'never',
        exec_mode: 'cluster',
        instances: 1,
        listen_timeout: 1000,
        env: { PORT: String(port) },
        readiness_probe: { http: `http://127.0.0.1:${port}/ready`, interval: 200 },
      },
    ]);
    const [before] = await waitOnline(home, 'never', 1);
    await waitFor(() => get(port, false).catch(() => false), { message: `port ${port} serving` });

    const result = await velos(['reload', 'never', '--update-env'], { home, env: { WARMUP: 'never' } });
    expect(result.code).not.toBe(0);
    const line = result.stderr.trim();
    expect(line).toMatch(
      /^velos: reload of never: process \d+ \(instance 0\): the new worker \(pid (\d+)\) was not ready within listen_timeout 1000 ms \(readiness probe: HTTP 503\); the old worker \(pid \d+\) keeps running$/,
    );
    expect(line).toContain(`the old worker (pid ${before?.pid}) keeps running`);
    const candidate = Number(/new worker \(pid (\d+)\)/.exec(line)?.[1]);
    await waitFor(() => !isAlive(candidate), { message: 'the new worker stopped' });
    expect((await clusterRows(home, 'never')).map((row) => [row.pid, row.status, row.restarts])).toEqual([
      [before?.pid, 'online', 0],
    ]);
    expect(await get(port, false)).toBe(before?.pid);
  });

  it("reloads an app whose readiness probe checks another program's port: the probe runs as written", async () => {
    const home = shared();
    const port = await freePort();
    // a database the app waits for, say: the workers never listen on its port
    const database = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => database.listen(0, '127.0.0.1', resolve));
    try {
      const databasePort = (database.address() as AddressInfo).port;
      await startApps(home, [
        {
          script: 'fixtures/cluster-server.js',
          name: 'dep',
          exec_mode: 'cluster',
          instances: 1,
          listen_timeout: 2000,
          env: { PORT: String(port) },
          readiness_probe: { tcp: `127.0.0.1:${databasePort}`, interval: 200 },
        },
      ]);
      const [before] = await waitOnline(home, 'dep', 1);
      await waitFor(() => get(port, false).catch(() => false), { message: `port ${port} serving` });
      const result = await velos(['reload', 'dep'], { home });
      expect([result.code, result.stderr]).toEqual([0, '']);
      const [after] = await clusterRows(home, 'dep');
      expect([after?.status, after?.restarts, after?.lastExitReason]).toEqual(['online', 1, 'reload']);
      expect(after?.pid).not.toBe(before?.pid);
      expect(await get(port, false)).toBe(after?.pid);
    } finally {
      database.close();
    }
  });

  it('refuses scale and config set of a target selecting several apps on one line, nothing changed', async () => {
    const home = shared();
    for (const name of ['b1', 'b2']) {
      await velosOk(['start', 'fixtures/silent.js', '--name', name, '--namespace', 'bulk'], { home });
    }
    for (const [args, command, target] of [
      [['scale', 'bulk', '2'], 'scale', 'bulk'],
      [['scale', 'all', '2'], 'scale', 'all'],
      [['config', 'set', 'bulk', 'max_memory=200M'], 'config', 'bulk'],
    ] as const) {
      const result = await velos([...args], { home });
      // a target problem, not a bad value: exit 1 for both commands
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toEqual([
        expect.stringContaining(`'${target}' selects 2 apps; ${command} takes one app name`),
      ]);
    }
    const rows = await waitOnline(home, 'b1', 1);
    await waitOnline(home, 'b2', 1);
    // a process id names its one app, as before
    await velosOk(['scale', String(rows[0]!.id), '2'], { home });
    await waitOnline(home, 'b1', 2);
    await waitOnline(home, 'b2', 1);
  });

  it('scales with N, +N and -N; a non-Node program with -i runs as fork instances with increment_var', async () => {
    const home = shared();
    const started = await velosOk(
      ['start', 'fixtures/script.sh', '--name', 'sh', '-i', '3', '--increment-var', 'PORT'],
      { home, env: { PORT: '5200' } },
    );
    expect(started.stderr).toMatch(/^velos: warning: sh: runs as 3 fork instances, not in cluster mode/);
    const rows = await waitOnline(home, 'sh', 3);
    expect(rows.map((row) => row.execMode)).toEqual(['fork', 'fork', 'fork']);
    const ports = homeProcesses(home)
      .filter((p) => rows.some((row) => row.pid === p.pid))
      .map((p) => p.environ.find((pair) => pair.startsWith('PORT=')))
      .sort();
    expect(ports).toEqual(['PORT=5200', 'PORT=5201', 'PORT=5202']);

    await velosOk(['scale', 'sh', '+2'], { home });
    const five = await waitOnline(home, 'sh', 5);
    expect(five.map((row) => row.instance)).toEqual([0, 1, 2, 3, 4]);
    await velosOk(['scale', 'sh', '-3'], { home });
    const two = await waitOnline(home, 'sh', 2);
    expect(two.map((row) => row.pid)).toEqual(rows.slice(0, 2).map((row) => row.pid));
    for (const row of five.slice(2)) expect(isAlive(row.pid)).toBe(false);
    await velosOk(['scale', 'sh', '4'], { home });
    await waitOnline(home, 'sh', 4);
    // out of 1 to 1024, as an absolute 0 is: a usage error (exit 2), nothing scaled
    const bad = await velos(['scale', 'sh', '-4'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'velos: scale sh: -4 gives 0 instances (it has 4); expected 1 to 1024 (stop or delete the app to run none) (see velos scale --help)\n',
    );
    const zero = await velos(['scale', 'sh', '0'], { home });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe(
      'velos: scale sh: 0 instances; expected 1 to 1024 (stop or delete the app to run none) (see velos scale --help)\n',
    );
    expect((await velos(['scale', 'sh', '+1021'], { home })).code).toBe(2);
    expect((await listState(home)).filter((row) => row.name === 'sh')).toHaveLength(4);

    await velosOk(['delete', 'sh'], { home });
    await waitFor(
      () =>
        homeProcesses(home).filter((p) => p.cmdline.some((arg) => arg.endsWith('script.sh'))).length === 0,
      {
        message: 'no shell instance left',
      },
    );
  });
});
