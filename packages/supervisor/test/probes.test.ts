import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppSpec,
  NESTED_DEFAULTS,
  type ProbeCheck,
  type ProbeSpec,
  type ProcessInfo,
} from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbeManager, type ProbeManager } from '../src/probes/index.js';
import { type ProcessRecord, toInfo } from '../src/process-record.js';
import { type RunnerHooks, spawnRecord, stopRecordTree } from '../src/process-runner.js';
import { ProcessTable } from '../src/process-table.js';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { freePort, freePorts } from './free-port.js';
import { appSpec, FIXTURES, Harness, killTree, waitFor } from './helpers.js';

const harness = new Harness();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await harness.cleanup();
});

/** A fast probe: checks every 150 ms, 1 s timeout. */
function probe(check: ProbeCheck, overrides: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    ...check,
    intervalMs: 150,
    timeoutMs: 1000,
    failureThreshold: 2,
    successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
    initialDelayMs: 0,
    ...overrides,
  } as ProbeSpec;
}

function httpCheck(port: number, path: string): ProbeCheck {
  return {
    kind: 'http',
    url: `http://127.0.0.1:${port}${path}`,
    statusMin: 200,
    statusMax: 399,
    headers: {},
  };
}

async function setHealth(port: number, query: string): Promise<{ checks: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/set?${query}`);
  return (await response.json()) as { checks: number };
}

function withSupervisor(home: string, logLines: string[]): Supervisor {
  return harness.track(createSupervisor({ home, log: (line) => logLines.push(line) }));
}

/** A supervisor running `fixtures/health-server.js` as `name` on a free port, with the spec `extra(port)` gives. */
async function startHealthServer(
  name: string,
  extra: (port: number) => Partial<AppSpec>,
): Promise<{ supervisor: Supervisor; logLines: string[]; port: number }> {
  const home = harness.home();
  const logLines: string[] = [];
  const supervisor = withSupervisor(home, logLines);
  const port = await freePort();
  await supervisor.start([appSpec(home, { name, script: 'health-server.js', ...extra(port) })]);
  return { supervisor, logLines, port };
}

async function info(supervisor: Supervisor, name: string): Promise<ProcessInfo | undefined> {
  return (await supervisor.list()).find((p) => p.name === name);
}

describe('liveness and readiness probes in the supervisor (SUP-11)', () => {
  it('restarts a process whose liveness probe fails, with reason unhealthy, and shows its health', async () => {
    const { supervisor, logLines, port } = await startHealthServer('web', (port) => ({
      env: { PORT: String(port) },
      // 20 failures (3 s): a restarted Node 24 on a busy machine took ~2 s to listen, and refused meanwhile
      livenessProbe: probe(httpCheck(port, '/health'), { failureThreshold: 20, initialDelayMs: 300 }),
    }));
    const healthy = await waitFor(async () => {
      const p = await info(supervisor, 'web');
      return p?.health?.state === 'healthy' ? p : null;
    });
    // (on a busy machine the server may have been too slow to listen once and been restarted already)
    expect(healthy.health).toMatchObject({ state: 'healthy', ready: true });
    await setHealth(port, 'health=fail');
    const restarted = await waitFor(
      async () => {
        const p = await info(supervisor, 'web');
        return p && p.restarts > healthy.restarts && p.pid !== null && p.pid !== healthy.pid ? p : null;
      },
      { what: 'an unhealthy restart' },
    );
    expect(restarted.lastExitReason).toBe('unhealthy');
    expect(restarted.health?.lastFailure).toMatchObject({ probe: 'liveness' });
    // the fresh process answers 200 again: healthy, the last failure kept
    const recovered = await waitFor(async () => {
      const p = await info(supervisor, 'web');
      return p?.health?.state === 'healthy' ? p : null;
    });
    expect(recovered.restarts).toBe(healthy.restarts + 1);
    expect(logLines).toContain('process 0 (web): liveness probe failed 20 times: HTTP 503: restarting');
    const errLines = await supervisor.logs({ target: 'web', stream: 'err', lines: 10 });
    expect(errLines.map((l) => l.line)).toContain(
      'velos: restarting: liveness probe failed 20 times: HTTP 503',
    );
  });

  it('stops a process whose liveness never passes after max_restarts unhealthy runs: errored', async () => {
    const { supervisor, logLines } = await startHealthServer('sick', (port) => ({
      env: { PORT: String(port), HEALTH_FAIL: '1' },
      maxRestarts: 2,
      livenessProbe: probe(httpCheck(port, '/health'), { failureThreshold: 2 }),
    }));
    const errored = await waitFor(
      async () => {
        const p = await info(supervisor, 'sick');
        return p?.status === 'errored' ? p : null;
      },
      { what: 'the never-healthy process to be errored' },
    );
    expect(errored).toMatchObject({
      restarts: 2,
      unstableRestarts: 2,
      lastExitReason: 'unhealthy',
      pid: null,
    });
    // on a busy machine the checks may come before the server listens: refused, not 503, and as unhealthy
    const failed = '(HTTP 503|connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+)';
    const restarts = new RegExp(
      `^process 0 \\(sick\\): liveness probe failed 2 times: ${failed}: restarting$`,
    );
    expect(logLines.filter((line) => restarts.test(line))).toHaveLength(2);
    const errors = new RegExp(
      `^process 0 \\(sick\\): liveness probe failed 2 times: ${failed}; it never passed in 3 runs in a row \\(max_restarts 2\\): stopped, errored$`,
    );
    expect(logLines.filter((line) => errors.test(line))).toHaveLength(1);
  });

  it('waits restart_delay before restarting an unhealthy process, as after an exit; without autorestart it is errored', async () => {
    const { supervisor, logLines } = await startHealthServer('slow', (port) => ({
      env: { PORT: String(port), HEALTH_FAIL: '1' },
      restartDelayMs: 1500,
      livenessProbe: probe(httpCheck(port, '/health'), { failureThreshold: 2 }),
    }));
    // it restarted at once, whatever restart_delay said: waiting-restart was never seen
    const waiting = await waitFor(
      async () => {
        const p = await info(supervisor, 'slow');
        return p?.status === 'waiting-restart' ? p : null;
      },
      { what: 'the unhealthy process waiting its restart_delay' },
    );
    expect(waiting).toMatchObject({ lastExitReason: 'unhealthy', pid: null, restarts: 0 });
    await waitFor(async () => ((await info(supervisor, 'slow'))?.restarts ?? 0) >= 1, {
      what: 'the restart',
    });
    expect(
      logLines.some((line) =>
        /^process 0 \(slow\): liveness probe failed 2 times: .*: restarting in 1500 ms$/.test(line),
      ),
    ).toBe(true);
    // it would go on failing and restarting (a node start each time) while the case below runs
    await supervisor.stop('slow');

    const { supervisor: other, logLines: otherLines } = await startHealthServer('once', (port) => ({
      env: { PORT: String(port), HEALTH_FAIL: '1' },
      autorestart: false,
      livenessProbe: probe(httpCheck(port, '/health'), { failureThreshold: 2 }),
    }));
    const errored = await waitFor(
      async () => {
        const p = await info(other, 'once');
        return p?.status === 'errored' ? p : null;
      },
      { what: 'the unhealthy process without autorestart to be errored' },
    );
    expect(errored).toMatchObject({ lastExitReason: 'unhealthy', pid: null, restarts: 0 });
    expect(
      otherLines.some((line) =>
        /^process 0 \(once\): liveness probe failed 2 times: .*; not restarted \(autorestart false\): stopped, errored$/.test(
          line,
        ),
      ),
    ).toBe(true);
  });

  it('marks a process whose readiness fails degraded and not ready, without restarting it', async () => {
    const { supervisor, logLines, port } = await startHealthServer('web', (port) => ({
      env: { PORT: String(port), READY_FAIL: '1' },
      // a liveness probe that never fails its threshold here, even before a slow start listens
      livenessProbe: probe(httpCheck(port, '/health'), { failureThreshold: 1000 }),
      readinessProbe: probe(httpCheck(port, '/ready'), { failureThreshold: 1, successThreshold: 2 }),
    }));
    const degraded = await waitFor(async () => {
      const p = await info(supervisor, 'web');
      return p?.health?.state === 'degraded' && p.health.lastFailure?.reason === 'HTTP 503' ? p : null;
    });
    expect(degraded.health).toMatchObject({
      ready: false,
      lastFailure: { probe: 'readiness', reason: 'HTTP 503' },
    });
    // many failed checks later it is still the same process, never restarted
    await waitFor(async () => (await setHealth(port, '')).checks >= 12, { what: 'more probe checks' });
    const still = await info(supervisor, 'web');
    expect(still).toMatchObject({ restarts: 0, pid: degraded.pid, status: 'online' });
    expect(still?.health?.state).toBe('degraded');
    expect(
      logLines.filter((line) => line.startsWith('process 0 (web): readiness probe failed 1 time: ')),
    ).toHaveLength(1);
    await setHealth(port, 'ready=ok');
    const ready = await waitFor(async () => {
      const p = await info(supervisor, 'web');
      return p?.health?.ready ? p : null;
    });
    expect(ready.health?.state).toBe('healthy');
    expect(logLines).toContain('process 0 (web): readiness probe passes again');
  });

  it('reloads fork instances one at a time, each ready before the next; a run not ready in time ends the reload', async () => {
    const home = harness.home();
    const supervisor = withSupervisor(home, []);
    const port = await freePort();
    await supervisor.start([
      appSpec(home, {
        name: 'ok',
        script: 'health-server.js',
        env: { PORT: String(port) },
        listenTimeoutMs: 10_000,
        readinessProbe: probe(httpCheck(port, '/ready')),
      }),
    ]);
    await waitFor(async () => ((await info(supervisor, 'ok'))?.health?.ready ? true : null));
    const [reloaded] = await supervisor.reload('ok');
    expect(reloaded).toMatchObject({ restarts: 1, lastExitReason: 'reload', status: 'online' });
    expect((await info(supervisor, 'ok'))?.health?.ready).toBe(true);

    const failing = await freePorts(2);
    await supervisor.start([
      appSpec(home, {
        name: 'never',
        script: 'health-server.js',
        instances: 2,
        env: { PORT: String(failing), READY_FAIL: '1' },
        incrementVar: 'PORT',
        listenTimeoutMs: 1500,
        readinessProbe: probe(httpCheck(failing, '/ready'), { failureThreshold: 1 }),
      }),
    ]);
    const error = await supervisor.reload('never').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(String((error as Error).message)).toMatch(
      // (a machine so busy that the new run did not listen in time sees the refused connection)
      /not ready within listen_timeout 1500 ms after its restart \(readiness probe: (HTTP 503|connect ECONNREFUSED \S+)\)/,
    );
    const rows = (await supervisor.list()).filter((p) => p.name === 'never');
    expect(rows.map((p) => p.restarts)).toEqual([1, 0]);

    // a probe whose initial_delay outlasts listen_timeout never reports in time: the error says so
    await supervisor.start([
      appSpec(home, {
        name: 'late',
        listenTimeoutMs: 300,
        livenessProbe: probe({ kind: 'exec', command: 'true' }, { initialDelayMs: 60_000 }),
      }),
    ]);
    const late = await supervisor.reload('late').catch((caught: unknown) => caught);
    expect(String((late as Error).message)).toMatch(
      /not ready within listen_timeout 300 ms after its restart \(no liveness probe result yet: its initial_delay is 60000 ms\)/,
    );
  });

  it('checks tcp ports: healthy on a listening one, degraded with the reason on a closed one', async () => {
    const home = harness.home();
    const supervisor = withSupervisor(home, []);
    const port = await freePort();
    const closed = await freePort();
    await supervisor.start([
      appSpec(home, {
        name: 'open',
        script: 'health-server.js',
        env: { PORT: String(port) },
        // never restarted for checks made before a slow start listens
        livenessProbe: probe({ kind: 'tcp', host: '127.0.0.1', port }, { failureThreshold: 1000 }),
      }),
      appSpec(home, {
        name: 'shut',
        script: 'silent.js',
        readinessProbe: probe({ kind: 'tcp', host: '127.0.0.1', port: closed }),
      }),
    ]);
    await waitFor(async () => (await info(supervisor, 'open'))?.health?.state === 'healthy', {
      what: 'open to be healthy',
    });
    const shut = await waitFor(async () => {
      const p = await info(supervisor, 'shut');
      return p?.health?.state === 'degraded' && p.health.ready === false ? p : null;
    });
    expect(shut.health?.lastFailure?.reason).toBe(`connect ECONNREFUSED 127.0.0.1:${closed}`);
    expect(shut.restarts).toBe(0);
  });

  it("runs an exec probe in each instance's environment: its increment_var port, VELOS_INSTANCE", async () => {
    const home = harness.home();
    const supervisor = withSupervisor(home, []);
    // instance 0 has PORT 4100, instance 1 PORT 4101: each probe sees its own (it saw the app's 4100)
    await supervisor.start([
      appSpec(home, {
        name: 'pair',
        instances: 2,
        incrementVar: 'PORT',
        env: { PORT: '4100' },
        readinessProbe: probe(
          { kind: 'exec', command: 'test "$PORT" = "410$VELOS_INSTANCE" && test -n "$VELOS_ID"' },
          { failureThreshold: 1 },
        ),
      }),
    ]);
    const rows = await waitFor(async () => {
      const pair = (await supervisor.list()).filter((p) => p.name === 'pair');
      return pair.length === 2 && pair.every((p) => p.health?.state !== 'unknown') ? pair : null;
    });
    expect(rows.map((p) => p.health?.state)).toEqual(['healthy', 'healthy']);
  });

  // switching users needs a daemon running as root (as in CI's container)
  it.skipIf(process.getuid?.() !== 0)(
    'runs the exec probe of an app with uid as that user, with its HOME, not as the daemon (root)',
    async () => {
      const home = harness.home();
      const supervisor = withSupervisor(home, []);
      // a cwd the app's user can enter and write: what the probe writes there tells who ran it
      const cwd = mkdtempSync(join(tmpdir(), 'velos-probe-as-'));
      cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
      chmodSync(cwd, 0o777);
      const nobody = /^nobody:[^:]*:(\d+):(\d+):[^:]*:([^:]*):/m.exec(readFileSync('/etc/passwd', 'utf8'))!;
      await supervisor.start([
        appSpec(home, {
          name: 'asnobody',
          script: join(FIXTURES, 'silent.js'),
          cwd,
          uid: 'nobody',
          readinessProbe: probe({ kind: 'exec', command: 'echo "$(id -u) $(id -g) $HOME" > who' }),
        }),
      ]);
      const who = await waitFor(() => {
        try {
          return readFileSync(join(cwd, 'who'), 'utf8').trim() || null;
        } catch {
          return null;
        }
      });
      expect(who).toBe(`${nobody[1]} ${nobody[2]} ${nobody[3]}`);
    },
  );

  it("probes each instance's own port when an http or tcp probe names the increment_var base port", async () => {
    const home = harness.home();
    const supervisor = withSupervisor(home, []);
    const base = await freePorts(2);
    await supervisor.start([
      appSpec(home, {
        name: 'ports',
        script: 'health-server.js',
        instances: 2,
        incrementVar: 'PORT',
        env: { PORT: String(base) },
        readinessProbe: probe(httpCheck(base, '/health'), { failureThreshold: 1, intervalMs: 100 }),
        livenessProbe: probe({ kind: 'tcp', host: '127.0.0.1', port: base }, { failureThreshold: 1000 }),
      }),
    ]);
    const states = async () =>
      (await supervisor.list()).filter((p) => p.name === 'ports').map((p) => p.health);
    await waitFor(async () => ((await states()).every((h) => h?.ready) ? true : null), {
      what: 'both instances ready',
    });
    // only instance 1 (on base + 1) fails: the probes of the base port saw instance 0 for both
    const answer = await fetch(`http://127.0.0.1:${base + 1}/set?health=fail`);
    expect(answer.status).toBe(200);
    const after = await waitFor(async () => {
      const health = await states();
      return health[1]?.ready === false ? health : null;
    });
    expect(after.map((h) => h?.ready)).toEqual([true, false]);
    expect(after[1]?.lastFailure?.reason).toBe('HTTP 503');
  });

  it('stops probing a process being stopped: its shutdown is no failure, and a stopped app is not unhealthy', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = withSupervisor(home, logLines);
    const shuttingDown = `${home}/shutting-down`;
    // the probe fails once the app "closes its port" (the file), while SIGTERM is ignored for 1.5 s
    await supervisor.start([
      appSpec(home, {
        name: 'slowstop',
        script: 'ignore-sigterm.js',
        killTimeoutMs: 1500,
        livenessProbe: probe({ kind: 'exec', command: `test ! -f '${shuttingDown}'` }, { intervalMs: 100 }),
      }),
    ]);
    await waitFor(async () => (await info(supervisor, 'slowstop'))?.health?.state === 'healthy', {
      what: 'slowstop to be healthy',
    });
    // its SIGTERM handler is in place once it printed its pid
    await waitFor(async () => {
      const lines = await supervisor.logs({ target: 'slowstop', stream: 'out', lines: 5 });
      return lines.some((l) => l.line.startsWith('stubborn pid'));
    });
    const stopped = supervisor.stop('slowstop');
    writeFileSync(shuttingDown, '');
    await stopped;
    const after = await info(supervisor, 'slowstop');
    expect(after?.status).toBe('stopped');
    expect(after?.health?.state).toBe('unknown');
    expect(logLines.filter((line) => line.includes('probe failed'))).toEqual([]);
  });

  it('waits initialDelayMs before the first check and needs failureThreshold failures', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = withSupervisor(home, logLines);
    const [started] = await supervisor.start([
      appSpec(home, {
        name: 'flaky',
        script: 'silent.js',
        livenessProbe: probe(
          { kind: 'exec', command: 'exit 3' },
          { initialDelayMs: 1200, failureThreshold: 3 },
        ),
      }),
    ]);
    expect(started!.health).toEqual({ state: 'unknown', ready: false, lastFailure: null });
    // below the threshold, never passed: still unknown (starting), the first failure's time after the initial delay
    const failed = await waitFor(async () => {
      const p = await info(supervisor, 'flaky');
      return p?.health?.lastFailure ? p : null;
    });
    expect(failed.restarts).toBe(0);
    expect(failed.health!.state).toBe('unknown');
    expect(failed.health!.lastFailure!.at - started!.startedAt!).toBeGreaterThanOrEqual(1200);
    const restarted = await waitFor(async () => {
      const p = await info(supervisor, 'flaky');
      return p && p.restarts >= 1 ? p : null;
    });
    expect(restarted.lastExitReason).toBe('unhealthy');
    expect(logLines).toContain('process 0 (flaky): liveness probe failed 3 times: exit code 3: restarting');
  });

  it('shows no health for an app without probes', async () => {
    const home = harness.home();
    const supervisor = withSupervisor(home, []);
    const [started] = await supervisor.start([appSpec(home, { name: 'plain', script: 'silent.js' })]);
    expect(started).not.toHaveProperty('health');
    const [detail] = await supervisor.describe('plain');
    expect(detail).not.toHaveProperty('health');
  });
});

describe('probe manager whenReady', () => {
  /** A table, a probe manager and runner hooks around them, torn down after the test. */
  function setup(home: string): { table: ProcessTable; manager: ProbeManager; hooks: RunnerHooks } {
    const table = new ProcessTable(home, () => undefined);
    const manager = createProbeManager({ log: () => undefined, onLivenessFailed: () => undefined });
    const hooks: RunnerHooks = {
      onOnline: (record) => manager.attach(record),
      onExit: (record) => manager.detach(record),
      onLeftoversGone: () => undefined,
      log: () => undefined,
    };
    cleanups.push(async () => {
      manager.close();
      for (const record of table.records.values()) {
        if (record.pid) killTree(record.pid);
        await record.pipeline.close().catch(() => undefined);
      }
    });
    return { table, manager, hooks };
  }

  function add(table: ProcessTable, spec: ReturnType<typeof appSpec>): ProcessRecord {
    const entry = table.add(spec);
    return table.records.get(entry.ids[0]!)!;
  }

  it('is true at once for an online app without probes, false for a stopped one', async () => {
    const home = harness.home();
    const { table, manager, hooks } = setup(home);
    const record = add(table, appSpec(home, { name: 'plain', script: 'silent.js' }));
    expect(await manager.whenReady(record, 1000)).toBe(false);
    spawnRecord(record, hooks);
    expect(await manager.whenReady(record, 1000)).toBe(true);
  });

  it('resolves true once readiness passes, false on timeout and when the run ends', async () => {
    const home = harness.home();
    const { table, manager, hooks } = setup(home);
    const port = await freePort();
    const record = add(
      table,
      appSpec(home, {
        name: 'web',
        script: 'health-server.js',
        env: { PORT: String(port), READY_FAIL: '1' },
        readinessProbe: probe(httpCheck(port, '/ready'), { failureThreshold: 1 }),
      }),
    );
    spawnRecord(record, hooks);
    const pending = manager.whenReady(record, 20_000);
    expect(await manager.whenReady(record, 300)).toBe(false);
    await waitFor(async () => (await setHealth(port, '')).checks >= 2, { what: 'readiness checks' });
    expect(toInfo(record).health).toMatchObject({ state: 'degraded', ready: false });
    await setHealth(port, 'ready=ok');
    expect(await pending).toBe(true);
    expect(toInfo(record).health).toMatchObject({ state: 'healthy', ready: true });

    await setHealth(port, 'ready=fail');
    await waitFor(() => toInfo(record).health?.ready === false, { what: 'readiness to fail again' });
    const untilExit = manager.whenReady(record, 20_000);
    record.isUserOp = true;
    await stopRecordTree(record, hooks);
    expect(await untilExit).toBe(false);
    expect(toInfo(record).health).toMatchObject({ state: 'unknown', ready: false });
  });
});
