import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NESTED_DEFAULTS, type ProbeSpec, type ProcessInfo, type VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { freePort } from './free-port.js';
import { appSpec, FIXTURES, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const MB = 1024 * 1024;

function open(options: { monitorIntervalMs?: number } = {}): { home: string; supervisor: Supervisor } {
  const home = harness.home();
  const supervisor = harness.track(createSupervisor({ home, ...options }));
  return { home, supervisor };
}

/** The events of `kind` once `count` of them (that `accept` takes) are on the bus. */
function eventsOf(
  supervisor: Supervisor,
  kind: string,
  count = 1,
  accept: (event: VelosEvent) => boolean = () => true,
): Promise<VelosEvent[]> {
  return waitFor(
    async () => {
      const { events } = await supervisor.events({ kinds: [kind], limit: 1000 });
      const found = events.filter(accept);
      return found.length >= count ? found : null;
    },
    { what: `${count} ${kind} event(s)`, timeoutMs: 25_000 },
  );
}

function httpProbe(port: number, overrides: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    kind: 'http',
    url: `http://127.0.0.1:${port}/health`,
    statusMin: 200,
    statusMax: 399,
    headers: {},
    intervalMs: 150,
    timeoutMs: 1000,
    failureThreshold: 2,
    successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
    initialDelayMs: 0,
    ...overrides,
  } as ProbeSpec;
}

describe('event sources on the bus (OBS-2)', () => {
  it('process.memory_limit: a leaking process over max_memory, with rss and limit, as a warning', async () => {
    const { home, supervisor } = open({ monitorIntervalMs: 200 });
    await supervisor.start([
      appSpec(home, { name: 'leaky', script: 'leaky.js', maxMemoryBytes: 100 * MB, env: { LEAK_MB: '20' } }),
    ]);
    const [event] = await eventsOf(supervisor, 'process.memory_limit');
    expect(event).toMatchObject({ app: 'leaky', severity: 'warning', fields: { limit: 100 * MB } });
    expect(event!.fields!.rss as number).toBeGreaterThan(100 * MB);
    expect(event!.message).toMatch(/over max_memory 100M: restarting/);
  });

  it('process.watchdog: a silent process restarted by its inactivity watchdog', async () => {
    const { home, supervisor } = open();
    await supervisor.start([
      appSpec(home, { name: 'quiet', script: 'silent.js', watchdog: { timeoutMs: 1000, intervalMs: 200 } }),
    ]);
    const [event] = await eventsOf(supervisor, 'process.watchdog');
    expect(event).toMatchObject({
      app: 'quiet',
      severity: 'warning',
      fields: { timeout_ms: 1000, log_file: null },
    });
    expect(event!.message).toMatch(/no output for 1s \(watchdog\): restarting/);
  });

  it('process.watch_restart: a changed file restarts the app, the event names the path', async () => {
    const { home, supervisor } = open();
    const project = join(home, 'project');
    mkdirSync(project, { recursive: true });
    await supervisor.start([
      appSpec(home, {
        name: 'web',
        script: join(FIXTURES, 'silent.js'),
        cwd: project,
        watch: [project],
        watchDelayMs: 200,
      }),
    ]);
    await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'the watcher to be ready' });
    writeFileSync(join(project, 'main.js'), '// v2\n');
    const [event] = await eventsOf(supervisor, 'process.watch_restart');
    expect(event).toMatchObject({ app: 'web', severity: 'info', fields: { changes: 1 } });
    expect(String(event!.fields!.path)).toMatch(/main\.js$/);
  });

  it('job.started / job.finished: outcome, exit code, duration and run number; a failed run is an error, once', async () => {
    const { home, supervisor } = open();
    const [job] = await supervisor.start([
      {
        ...appSpec(home, {
          name: 'tick',
          script: 'job-counter.js',
          type: 'job',
          env: { COUNTER_FILE: join(home, 'tick.count'), EXIT_CODES: '0,1' },
        }),
        intervalMs: 400,
      },
    ]);
    const finished = await eventsOf(supervisor, 'job.finished', 2);
    expect(
      finished.slice(0, 2).map((e) => [e.fields!.run, e.fields!.outcome, e.fields!.exit_code, e.severity]),
    ).toEqual([
      [1, 'ok', 0, 'info'],
      [expect.any(Number), 'failed', 1, 'error'],
    ]);
    // 2, or more where a due time skipped while run 1 went (a slow machine) took a number of its own
    const second = finished[1]!.fields!.run as number;
    expect(second).toBeGreaterThan(1);
    expect(finished[0]!.fields!.duration_ms).toEqual(expect.any(Number));
    expect(finished[0]).toMatchObject({ app: 'tick', id: job!.id });
    const started = await eventsOf(supervisor, 'job.started', 2);
    expect(started.slice(0, 2).map((e) => [e.fields!.run, e.fields!.trigger])).toEqual([
      [1, 'start'],
      [second, 'interval'],
    ]);
    // a job's status changes are told by the scheduler only: no process.* events for it
    const { events } = await supervisor.events({ target: 'tick', limit: 1000 });
    expect(events.some((e) => e.kind === 'job.finished')).toBe(true);
    expect(events.filter((e) => e.kind.startsWith('process.'))).toEqual([]);
  });

  it('process.health: a probe turns a process healthy, then unhealthy (error) with the probe and reason', async () => {
    const { home, supervisor } = open();
    const port = await freePort();
    await supervisor.start([
      appSpec(home, {
        name: 'web',
        script: 'health-server.js',
        env: { PORT: String(port) },
        livenessProbe: httpProbe(port, { failureThreshold: 3, initialDelayMs: 300 }),
      }),
    ]);
    const [healthy] = await eventsOf(supervisor, 'process.health', 1, (e) => e.fields!.to === 'healthy');
    expect(healthy).toMatchObject({
      app: 'web',
      severity: 'info',
      fields: { probe: 'liveness', check: 'http', to: 'healthy' },
    });
    await fetch(`http://127.0.0.1:${port}/set?health=fail`);
    const [unhealthy] = await eventsOf(supervisor, 'process.health', 1, (e) => e.fields!.to === 'unhealthy');
    expect(unhealthy).toMatchObject({
      app: 'web',
      severity: 'error',
      fields: { probe: 'liveness', check: 'http', reason: 'HTTP 503' },
    });
  });
});

describe('process.reload_step (SUP-6 cluster reload)', () => {
  it('tells each instance replaced: step i/n, instance, old and new pid', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client } = await harness.startDaemon(home);
    const spec = appSpec(home, {
      name: 'rl',
      script: 'cluster-server.js',
      execMode: 'cluster',
      instances: 2,
      env: { PORT: String(port) },
    });
    await client.call('start', { apps: [spec] });
    const before = await waitFor(
      async () => {
        const rows = (await client.call<{ processes: ProcessInfo[] }>('list')).processes;
        return rows.length === 2 && rows.every((row) => row.status === 'online') ? rows : null;
      },
      { what: 'both instances online' },
    );
    await client.call('reload', { target: 'rl' }, 60_000);
    const { events } = await client.call<{ events: VelosEvent[] }>('events', { kinds: ['reload_step'] });
    expect(events.map((e) => [e.fields!.step, e.fields!.steps, e.fields!.instance, e.fields!.how])).toEqual([
      [1, 2, 0, 'reload'],
      [2, 2, 1, 'reload'],
    ]);
    for (const [i, event] of events.entries()) {
      expect(event.fields!.old_pid).toBe(before[i]!.pid);
      expect(event.fields!.new_pid).not.toBe(before[i]!.pid);
      expect(event.fields!.new_pid).toEqual(expect.any(Number));
    }
  });
});

describe('events of a target that selects nothing', () => {
  it("refuses a target naming no process and no event (TARGET_NOT_FOUND), answers a deleted app's events, by its namespace too", async () => {
    const { home, supervisor } = open();
    await supervisor.start([appSpec(home, { name: 'api', namespace: 'shop' })]);
    await eventsOf(supervisor, 'process.started');
    for (const target of ['ghost', '99']) {
      await expect(supervisor.events({ target })).rejects.toMatchObject({
        code: 'TARGET_NOT_FOUND',
        message: `no process matches '${target}', and no event names it`,
      });
      expect(() => supervisor.followEvents({ target })).toThrow(/no process matches/);
    }
    // a typo of a listed app or namespace is named, as every other command's target says it
    for (const [target, meant] of [
      ['apj', 'api'],
      ['shpo', 'shop'],
    ]) {
      const message = `no process matches '${target}', and no event names it (did you mean '${meant}'?)`;
      await expect(supervisor.events({ target })).rejects.toMatchObject({
        code: 'TARGET_NOT_FOUND',
        message,
        data: { target, meant },
      });
      expect(() => supervisor.followEvents({ target })).toThrow(message);
    }
    // a /regex/ of app names selects their events, as every other command's target takes one
    expect((await supervisor.events({ target: '/^ap/' })).events.map((e) => e.app)).toContain('api');
    // listed now: an empty window is an answer, not an error
    const later = Date.now() + 60_000;
    for (const target of ['api', 'shop', '0', 'all']) {
      expect((await supervisor.events({ target, since: later })).events).toEqual([]);
    }
    supervisor.followEvents({ target: 'shop' }).cancel();
    // deleted: its events are still there, and a window without them is no error either
    await supervisor.delete('api');
    expect((await supervisor.events({ target: 'api' })).events.length).toBeGreaterThan(0);
    expect((await supervisor.events({ target: '0' })).events.length).toBeGreaterThan(0);
    expect((await supervisor.events({ target: 'api', since: later })).events).toEqual([]);
    supervisor.followEvents({ target: 'api' }).cancel();
    // and to the namespace it was in, which its events record
    const ofShop = (await supervisor.events({ target: 'shop' })).events;
    expect(ofShop.length).toBeGreaterThan(0);
    for (const event of ofShop) expect(event).toMatchObject({ app: 'api', namespace: 'shop' });
    supervisor.followEvents({ target: 'shop' }).cancel();
  });
});
