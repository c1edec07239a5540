import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  clearApps,
  describeState,
  errLog,
  FIXTURES,
  listState,
  readLines,
  SeenProcesses,
  sharedHome,
  velosOk,
  waitFor,
} from './helpers.js';

/** Pids a test saw started by probe commands: killed by PID in teardown should one outlive the test. */
const probeLeftovers = new Set<number>();
/** The same processes by pid and start time, for the teardown: their pids are reused once they are gone. */
const leftoverProcs = new SeenProcesses();

afterEach(async () => {
  leftoverProcs.killAll();
  probeLeftovers.clear();
  await cleanupHomes();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface HealthRow {
  name: string;
  pid: number | null;
  restarts: number;
  lastExitReason: string | null;
  health?: {
    state: string;
    ready: boolean;
    lastFailure: { probe: string; reason: string; at: number } | null;
  };
}

/** The app's row as `velos list --json` prints it, over the daemon's socket (polled: no CLI process each time). */
async function row(home: string, name: string): Promise<HealthRow | undefined> {
  return ((await listState(home)) as unknown as HealthRow[]).find((r) => r.name === name);
}

async function setHealth(port: number, query: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/set?${query}`);
  expect(response.status).toBe(200);
}

describe('liveness and readiness probes through the CLI (SUP-11)', () => {
  // one daemon for the file: each test starts and ends without apps (the first reads list --ai's first row)
  const shared = sharedHome();

  it('shows health in list and describe, and restarts an app whose liveness fails', async () => {
    const home = shared();
    await clearApps(home);
    const port = await freePort();
    const dir = join(home, 'project');
    mkdirSync(dir);
    const config = join(dir, 'probes.json');
    writeFileSync(
      config,
      JSON.stringify({
        apps: [
          {
            name: 'web',
            script: join(FIXTURES, 'health-server.js'),
            env: { PORT: port },
            liveness_probe: {
              http: `http://127.0.0.1:${port}/health`,
              interval: '200ms',
              timeout: '1s',
              failure_threshold: 2,
              initial_delay: '300ms',
            },
            readiness_probe: {
              http: { url: `http://127.0.0.1:${port}/ready`, status: '2xx' },
              interval: '200ms',
              failure_threshold: 1,
            },
          },
        ],
      }),
    );
    await velosOk(['start', config], { home });
    const healthy = await waitFor(
      async () => {
        const r = await row(home, 'web');
        return r?.health?.state === 'healthy' ? r : undefined;
      },
      { message: 'web to be healthy' },
    );
    expect(healthy.health!.ready).toBe(true);
    const table = (await velosOk(['list'], { home })).stdout;
    expect(table.split('\n')[0]).toMatch(/\bhealth\b/);
    expect(table).toMatch(/\bweb\b.*\bonline\b\s+healthy\b/);

    await setHealth(port, 'ready=fail');
    const degraded = await waitFor(
      async () => {
        const r = await row(home, 'web');
        return r?.health?.state === 'degraded' && r.health.lastFailure?.reason === 'HTTP 503' ? r : undefined;
      },
      { message: 'web to be degraded' },
    );
    expect(degraded.health).toMatchObject({ ready: false, lastFailure: { probe: 'readiness' } });
    expect(degraded.restarts).toBe(healthy.restarts);
    const text = (await velosOk(['describe', 'web'], { home })).stdout;
    expect(text).toMatch(/^ {2}health +degraded, not ready$/m);
    expect(text).toMatch(/^ {2}last failure +readiness: HTTP 503 \(/m);
    expect(text).toMatch(
      /^ {2}liveness +http GET http:\/\/127\.0\.0\.1:\d+\/health \(200-399\), every 200ms/m,
    );
    expect(text).toMatch(
      /^ {2}readiness +http GET \S+\/ready \(200-299\), every 200ms, timeout 2s, fails after 1/m,
    );
    const ai = JSON.parse((await velosOk(['list', '--ai'], { home })).stdout) as Record<string, unknown>[];
    expect(ai[0]).toMatchObject({ n: 'web', h: 'degraded', rdy: 0 });

    await setHealth(port, 'health=fail');
    const restarted = await waitFor(
      async () => {
        const r = await row(home, 'web');
        return r && r.restarts > healthy.restarts && r.pid !== null && r.pid !== healthy.pid ? r : undefined;
      },
      { message: 'an unhealthy restart', timeoutMs: 30_000 },
    );
    expect(restarted.lastExitReason).toBe('unhealthy');
    const [detail] = await describeState(home, 'web');
    expect(detail!.lastExitReason).toBe('unhealthy');
    expect(
      readLines(errLog(home, 'web')).some((line) =>
        /^velos: restarting: liveness probe failed 2 times: HTTP 503$/.test(line),
      ),
    ).toBe(true);
    const daemonLog = readLines(join(home, 'daemon.log')).join('\n');
    expect(daemonLog).toMatch(/\(web\): liveness probe failed 2 times: HTTP 503: restarting/);
    await clearApps(home);
  });

  it('takes --liveness-http and --readiness-http on the command line', async () => {
    const home = shared();
    await clearApps(home);
    const port = await freePort();
    await velosOk(
      [
        'start',
        'fixtures/health-server.js',
        '--name',
        'flagged',
        '--liveness-http',
        `http://127.0.0.1:${port}/health`,
        '--readiness-http',
        `http://127.0.0.1:${port}/ready`,
      ],
      { home, env: { PORT: String(port) } },
    );
    // the spec the flags gave, over the socket (the CLI under test is the start)
    const [detail] = await describeState(home, 'flagged');
    expect(detail!.spec).toMatchObject({
      livenessProbe: { kind: 'http', url: `http://127.0.0.1:${port}/health`, failureThreshold: 3 },
      readinessProbe: { kind: 'http', url: `http://127.0.0.1:${port}/ready` },
    });
    expect((detail as unknown as HealthRow).health).toBeDefined();
    await clearApps(home);
  });

  it('kills what an exec probe left running with setsid after each check (it used to outlive delete and kill)', async () => {
    const home = shared();
    await clearApps(home);
    const dir = join(home, 'project');
    mkdirSync(join(dir, 'bg'), { recursive: true });
    // each check starts a child that leaves the group and the session and writes its pid, then passes
    const probe = `f=bg/$$; setsid sh -c "echo \\$\\$ > $f; exec sleep 201" & while [ ! -s $f ]; do sleep 0.01; done; exit 0`;
    writeFileSync(
      join(dir, 'velos.toml'),
      [
        '[[apps]]',
        'name = "leaky"',
        `script = ${JSON.stringify(join(FIXTURES, 'silent.js'))}`,
        `cwd = ${JSON.stringify(dir)}`,
        '[apps.readiness_probe]',
        `exec = ${JSON.stringify(probe)}`,
        'interval = "500ms"',
        '',
      ].join('\n'),
    );
    await velosOk(['start', join(dir, 'velos.toml')], { home });
    const seen = () => {
      for (const name of readdirSync(join(dir, 'bg'))) {
        const pid = Number(readFileSync(join(dir, 'bg', name), 'utf8').trim());
        if (pid > 0 && !probeLeftovers.has(pid)) leftoverProcs.add(pid);
        if (pid > 0) probeLeftovers.add(pid);
      }
      return [...probeLeftovers];
    };
    await waitFor(async () => seen().length >= 3, { message: 'three exec checks' });
    // each check's setsid child is killed when its check ends (they lived on for 201 s, one per check)
    const firstThree = seen().slice(0, 3);
    await waitFor(async () => firstThree.every((pid) => !isAlive(pid)) || null, {
      message: "the first checks' setsid children to be killed",
    });
    await velosOk(['delete', 'leaky'], { home });
    await waitFor(async () => seen().every((pid) => !isAlive(pid)) || null, {
      message: 'no setsid child of a probe left after delete',
    });
    expect((await row(home, 'leaky'))?.name).toBeUndefined();
  });
});
