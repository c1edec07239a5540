import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  createHome,
  ensureDaemon,
  FIXTURES,
  isAlive,
  readPidFile,
  spawnVelos,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
  withClient,
} from './helpers.js';
import { promtoolProblems, requireBinary } from './metrics-tools.js';

afterEach(cleanupHomes);

const SILENT = join(FIXTURES, 'silent.js');
const METRICS_SERVER = join(FIXTURES, 'metrics-server.js');
const hasPromtool = requireBinary('promtool');

/** Writes an app config file in the home's project directory and returns its path. */
function writeApps(home: string, text: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'apps.toml');
  writeFileSync(path, text);
  return path;
}

async function get(url: string, init?: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
}

describe('velos metrics (OBS-1)', () => {
  it('prints an exposition promtool accepts, the snapshot with --json and a summary with --ai', async () => {
    const home = createHome();
    await velosOk(['start', SILENT, '--name', 'quiet'], { home });
    await waitForStatus(home, 'quiet', 'online');
    const text = (await velosOk(['metrics'], { home })).stdout;
    expect(text).toMatch(
      /^velos_process_memory_bytes\{name="quiet",id="0",instance="0",namespace="default"\} \d+$/m,
    );
    expect(text).toMatch(/^velos_process_status\{name="quiet",id="0",instance="0",namespace="default"\} 1$/m);
    expect(text).toMatch(/^velos_daemon_processes\{status="online"\} 1$/m);
    expect(text).toMatch(/^velos_host_memory_total_bytes \d+/m);
    if (hasPromtool) expect(promtoolProblems(text)).toBe('');

    const snapshot = JSON.parse((await velosOk(['metrics', '--json'], { home })).stdout);
    expect(snapshot.processes[0]).toMatchObject({ name: 'quiet', status: 'online' });
    const summary = JSON.parse((await velosOk(['metrics', '--ai'], { home })).stdout);
    expect(summary.ps[0]).toMatchObject({ i: 0, n: 'quiet', s: 'on', r: 0 });
    expect(summary.d.ps).toEqual({ online: 1 });

    const bad = await velos(['metrics', '--port', 'http'], { home });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--port: expected a TCP port');
  });

  it('exposes the custom metrics of a Node and a Python app with their labels; malformed reports are counted', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'app-metrics.js'), '--name', 'shop'], { home });
    await velosOk(['start', join(FIXTURES, 'app_metrics.py'), '--name', 'pyshop'], { home });
    const labels = (name: string, id: number) => `name="${name}",id="${id}",instance="0",namespace="default"`;
    const text = await waitFor(
      async () => {
        const out = (await velosOk(['metrics'], { home })).stdout;
        return out.includes('after_malformed_total{') && out.includes('py_temperature{') ? out : null;
      },
      { message: 'custom metrics of both apps in the exposition' },
    );
    expect(text).toContain(`orders_total{shop="eu",${labels('shop', 0)}} 3`);
    expect(text).toContain(`queue_depth{${labels('shop', 0)}} 15`);
    expect(text).toContain(`checkout_seconds_count{${labels('shop', 0)}} 2`);
    expect(text).toMatch(/^# TYPE checkout_seconds histogram$/m);
    expect(text).toMatch(
      /^velos_custom_metrics_rejected_total\{name="shop",id="0",instance="0",namespace="default"\} [1-9]/m,
    );
    expect(text).toContain(`py_jobs_total{queue="mail",${labels('pyshop', 1)}} 2`);
    expect(text).toContain(`py_temperature{room="lab",${labels('pyshop', 1)}} 21.5`);
    expect(text).toMatch(
      /^velos_custom_metrics_rejected_total\{name="pyshop",id="1",instance="0",namespace="default"\} 1$/m,
    );
    if (hasPromtool) expect(promtoolProblems(text)).toBe('');
    expect((await velosOk(['ping'], { home })).code).toBe(0);
  });

  it('refuses a custom metric whose exposed names meet another one, so promtool still accepts velos metrics', async () => {
    const home = createHome();
    const app = (name: string, reports: object[]) => {
      const path = join(home, `${name}.js`);
      const lines = reports.map((r) => JSON.stringify(r));
      writeFileSync(
        path,
        `for (const l of ${JSON.stringify(lines)}) console.log(l);\nsetInterval(() => {}, 1e6);\n`,
      );
      return path;
    };
    const histogram = (name: string) => ({ velos_metric: name, type: 'histogram', value: 1 });
    const gauge = (name: string) => ({ velos_metric: name, type: 'gauge', value: 1 });
    const first = app('histogram-first', [
      histogram('work'),
      gauge('work_sum'),
      histogram('lat'),
      gauge('lat_bucket'),
      gauge('lat_count'),
      // ':' is Prometheus's for recording rules: promtool's lint refuses it in an exposition
      gauge('http:requests'),
      gauge('done'),
    ]);
    await velosOk(['start', first, '--name', 'hfirst'], { home });
    const labels = 'name="hfirst",id="0",instance="0",namespace="default"';
    const text = await waitFor(
      async () => {
        const out = (await velosOk(['metrics'], { home })).stdout;
        return out.includes(`done{${labels}} 1`) ? out : null;
      },
      { message: 'the custom metrics of the app in the exposition' },
    );
    expect(text).toContain(`work_sum{${labels}} 1`);
    expect(text).toContain(`lat_count{${labels}} 1`);
    expect(text).toMatch(
      /^velos_custom_metrics_rejected_total\{name="hfirst",id="0",instance="0",namespace="default"\} 4$/m,
    );
    expect(text).not.toContain('http:requests');
    if (hasPromtool) expect(promtoolProblems(text)).toBe('');
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain(
      'hfirst (id 0): a velos_metric report was refused (work_sum: its exposed name work_sum is taken by the histogram work)',
    );

    // the other order: the gauges came first and keep their names, the histogram is refused
    const second = app('gauge-first', [gauge('q_count'), histogram('q'), gauge('done2')]);
    await velosOk(['start', second, '--name', 'gfirst'], { home });
    const after = await waitFor(
      async () => {
        const out = (await velosOk(['metrics'], { home })).stdout;
        return out.includes('done2{') ? out : null;
      },
      { message: 'the custom metrics of the second app in the exposition' },
    );
    expect(after).not.toMatch(/^# TYPE q histogram$/m);
    expect(after).toMatch(
      /^velos_custom_metrics_rejected_total\{name="gfirst",id="1",instance="0",namespace="default"\} 1$/m,
    );
    // valid: what is left is promtool's naming advice on a gauge called *_count
    if (hasPromtool) {
      expect(promtoolProblems(after)).toBe(
        'q_count non-histogram and non-summary metrics should not have "_count" suffix (promtool exited 3)',
      );
    }
  });

  it('velos_process_restart_total goes on from its total after velos reset and a daemon that died', async () => {
    const home = createHome();
    const restartTotal = async () => {
      const text = (await velosOk(['metrics'], { home })).stdout;
      return Number(/^velos_process_restart_total\{name="crashy",[^}]*\} (\d+)$/m.exec(text)?.[1]);
    };
    const erroredAfter = (restarts: number) =>
      waitFor(
        async () => {
          // over the socket, not a CLI process a poll
          const rows = await withClient(home, (client) => client.list());
          const row = rows.find((p) => p.name === 'crashy');
          return row?.status === 'errored' && row.restarts === restarts ? row : undefined;
        },
        { message: `crashy errored after ${restarts} restarts` },
      );
    const args = ['--name', 'crashy', '--max-restarts', '1', '--restart-delay', '50', '--', '50'];
    await velosOk(['start', join(FIXTURES, 'crash-after.js'), ...args], { home });
    await erroredAfter(1);
    await velosOk(['reset', 'crashy'], { home });
    await velosOk(['restart', 'crashy'], { home });
    await erroredAfter(1);
    expect(await restartTotal()).toBe(2);
    // a daemon that died: the next one takes its table over (velos list shows 1 still), and the counter
    // Prometheus scraped at 2 must not read 1, a reset followed by a restart that never happened
    const pid = readPidFile(home)!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { message: 'the SIGKILLed daemon to be gone' });
    await ensureDaemon(home);
    expect((await erroredAfter(1)).restarts).toBe(1);
    expect(await restartTotal()).toBe(2);
  });

  it('velos metrics --port serves /metrics in the foreground until SIGTERM', async () => {
    const home = createHome();
    await velosOk(['start', SILENT, '--name', 'quiet'], { home });
    const port = await freePort();
    const child = spawnVelos(['metrics', '--port', String(port)], { home });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}/metrics`;
    const response = await waitFor(() => get(url), { message: `GET ${url}` });
    expect(await response.text()).toMatch(/^velos_process_uptime_seconds\{name="quiet"/m);
    // after velos kill a scrape gets 503: it does not start the daemon and its apps again
    await velosOk(['kill'], { home });
    const down = await get(url);
    expect(down.status).toBe(503);
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const refused = await get(url).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);

    const hostAlone = await velos(['metrics', '--host', '0.0.0.0'], { home });
    expect(hostAlone.code).not.toBe(0);
    expect(hostAlone.stderr).toContain('--host needs --port');
  });

  it('re-exposes an app metrics_url with its labels; a malformed one is counted, never fatal', async () => {
    const home = createHome();
    const [good, bad] = [await freePort(), await freePort()];
    const app = (name: string, port: number, env = '') =>
      `[[apps]]\nname = "${name}"\nscript = "${METRICS_SERVER}"\nmetrics_url = "http://127.0.0.1:${port}/metrics"\nenv = { PORT = "${port}"${env} }\n`;
    await velosOk(
      ['start', writeApps(home, app('shop', good) + app('broken', bad, ', METRICS_MODE = "bad"'))],
      { home },
    );
    await waitForStatus(home, 'shop', 'online');
    await waitForStatus(home, 'broken', 'online');
    const text = await waitFor(
      async () => {
        const out = (await velosOk(['metrics'], { home })).stdout;
        return out.includes('app_requests_total{') ? out : undefined;
      },
      { message: 'the app metrics in the exposition' },
    );
    const shop = 'name="shop",id="0",instance="0",namespace="default"';
    const broken = 'name="broken",id="1",instance="0",namespace="default"';
    expect(text).toContain(`app_requests_total{code="200",exported_id="req \\"quoted\\"",${shop}}`);
    expect(text).toContain(`app_queue_depth{${shop}} 7\n`);
    expect(text).toContain(`app_request_seconds_bucket{le="+Inf",${shop}} 4`);
    expect(text).toContain(`velos_app_scrape_up{${shop}} 1`);
    expect(text).toContain(`velos_app_scrape_up{${broken}} 0`);
    expect(text).toContain(`velos_app_scrape_errors_total{${broken}} 1`);
    if (hasPromtool) expect(promtoolProblems(text)).toBe('');
  });

  it('the daemon serves [metrics] port of config.toml, rebinds on reload, and survives a port in use', async () => {
    const home = createHome();
    const [first, second] = [await freePort(), await freePort()];
    writeFileSync(join(home, 'config.toml'), `[metrics]\nport = ${first}\n`);
    await velosOk(['start', SILENT, '--name', 'quiet'], { home });
    const url = `http://127.0.0.1:${first}/metrics`;
    const response = await waitFor(() => get(url), { message: `GET ${url}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toContain('velos_process_cpu_percent{name="quiet"');
    expect((await get(`http://127.0.0.1:${first}/`)).status).toBe(404);
    expect((await get(url, { method: 'POST' })).status).toBe(405);
    const head = await get(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    writeFileSync(join(home, 'config.toml'), `[metrics]\nport = ${second}\n`);
    const moved = await velosOk(['config', 'reload'], { home });
    expect(moved.stdout).toBe(
      `${join(home, 'config.toml')}: changed [metrics]\n  metrics: stopped serving ${url}; serving http://127.0.0.1:${second}/metrics\n`,
    );
    expect((await get(`http://127.0.0.1:${second}/metrics`)).status).toBe(200);
    await waitFor(
      () =>
        get(url).then(
          () => false,
          () => true,
        ),
      { message: 'the old port closed' },
    );

    // a port held by someone else: one line in daemon.log, the daemon answers on
    const blocker = createServer();
    const third = await freePort();
    await new Promise<void>((resolve) => blocker.listen(third, '127.0.0.1', resolve));
    try {
      writeFileSync(join(home, 'config.toml'), `[metrics]\nport = ${third}\n`);
      process.kill(readPidFile(home)!, 'SIGHUP');
      await waitFor(
        () =>
          readFileSync(join(home, 'daemon.log'), 'utf8').includes(
            `metrics: cannot serve on 127.0.0.1:${third}`,
          ),
        {
          message: 'the bind error in daemon.log',
        },
      );
      await velosOk(['list'], { home });
      // velos config reload tries the port again and says it is not in effect: exit 1
      const daemonFile = join(home, 'config.toml');
      const busy = await velos(['config', 'reload'], { home });
      expect(busy.code).toBe(1);
      expect(busy.stdout).toMatch(
        new RegExp(
          `^${daemonFile}: no change\n  metrics: cannot serve on 127\\.0\\.0\\.1:${third}: .*EADDRINUSE`,
        ),
      );
      expect(busy.stderr).toMatch(/^velos: .*config\.toml: metrics: cannot serve on /);

      // what changed in config.toml is said, not "no change"
      writeFileSync(daemonFile, '[defaults]\nkill_timeout = "3s"\n');
      const changed = await velosOk(['config', 'reload'], { home });
      expect(changed.stdout).toBe(`${daemonFile}: changed [defaults], [metrics]\n`);
      expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain('metrics: stopped serving');
    } finally {
      blocker.close();
    }
  });
});
