#!/usr/bin/env node
// OBS-1 costs: (a) a scrape of 100 apps: renderPrometheus of a 100-process snapshot in process, and
// GET /metrics of a real daemon with 100 idle apps (medians, budget 20 ms); (b) idle daemon RSS with
// the [metrics] endpoint off and on (budget +8 MB) and proof that the daemon loads no metrics code
// while it is off (module hooks log every module it loads); `velos list` against `node -e 0`.
// Usage: pnpm run build && node bench/metrics.mjs [--runs 5] [--apps 100]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readPidFile, readSettledRss, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, apps: { type: 'string', default: '100' } },
});
const runs = Number(values.runs);
const appCount = Number(values.apps);
const repo = fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(repo, 'apps/cli/bin/velos.js');
const SILENT = join(repo, 'fixtures/silent.js');
const HOOK = join(repo, 'bench/fixtures/module-log-register.mjs');
const dist = join(repo, 'apps/cli/dist');
const { renderPrometheus } = await import(pathToFileURL(join(repo, 'packages/metrics/dist/index.js')).href);
const MB = 1e6;
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (line) => process.stderr.write(`${line}\n`);
const homes = [];
const results = {};

function newHome(config) {
  const home = mkdtempSync(join(tmpdir(), 'velos-metrics-bench-'));
  homes.push(home);
  if (config !== undefined) writeFileSync(join(home, 'config.toml'), config);
  return home;
}
const velos = (home, args, nodeArgs = []) =>
  execFileSync(process.execPath, [...nodeArgs, VELOS_BIN, ...args], {
    env: { ...process.env, VELOS_HOME: home },
    encoding: 'utf8',
  });

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stopDaemon(home) {
  spawnSync(process.execPath, [VELOS_BIN, 'kill'], { env: { ...process.env, VELOS_HOME: home } });
  const pid = readPidFile(join(home, 'velos.pid'));
  if (pid !== null) await stopPids([pid]);
}

/** A snapshot like the daemon's, with `count` online processes and every figure set. */
function syntheticSnapshot(count) {
  const processes = Array.from({ length: count }, (_, id) => ({
    id,
    name: `app-${id}`,
    instance: 0,
    namespace: 'default',
    status: 'online',
    pid: 1000 + id,
    cpuPercent: 1.5,
    memoryBytes: 40e6,
    memoryPeakBytes: 45e6,
    uptimeSeconds: 3600,
    restarts: 2,
    exits: { crash: 1, user: 1 },
    logLines: { out: 1000, err: 10 },
    logErrors: 3,
    logBytes: 90_000,
    logDropped: 0,
    health: id % 4 === 0 ? 'healthy' : null,
  }));
  const latency = {
    bounds: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, null],
    counts: [1, 2, 3, 4, 5, 6, 7, 7],
    sum: 1,
    count: 7,
  };
  return {
    at: Date.now(),
    daemon: {
      version: '0.1.0',
      pid: 1,
      uptimeSeconds: 1,
      memoryBytes: 1,
      heapUsedBytes: 1,
      processes: { online: count },
      ipcRequests: [{ cmd: 'list', outcome: 'ok', count: 5 }],
      ipcLatencySeconds: latency,
      eventLoopLagSeconds: { mean: 0.001, max: 0.002 },
      events: { 'process.started': count },
      alerts: {},
      customMetricsRejected: [],
    },
    host: {
      cpuPercent: 5,
      cpuCount: 2,
      memoryTotalBytes: 8e9,
      memoryAvailableBytes: 4e9,
      load: [0.1, 0.1, 0.1],
      disk: { path: '/', totalBytes: 1e11, freeBytes: 5e10, availableBytes: 4e10 },
      network: [{ interface: 'eth0', rxBytes: 1, txBytes: 1 }],
    },
    processes,
  };
}

// (a1) rendering alone
{
  const snapshot = syntheticSnapshot(appCount);
  for (let i = 0; i < 20; i++) await renderPrometheus(snapshot);
  const samples = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    await renderPrometheus(snapshot);
    samples.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  results.renderCpuMs = round((cpu.user + cpu.system) / 1000 / 100);
  const text = await renderPrometheus(snapshot);
  results.renderMs = round(median(samples));
  results.expositionBytes = Buffer.byteLength(text);
  log(
    `render ${appCount} processes: median ${results.renderMs} ms (CPU ${results.renderCpuMs} ms), ${results.expositionBytes} bytes`,
  );
}

try {
  // (a2) HTTP scrape of a real daemon with 100 idle apps
  {
    const port = await freePort();
    const home = newHome(`[metrics]\nport = ${port}\n`);
    const config = join(home, 'apps.json');
    writeFileSync(
      config,
      JSON.stringify({
        apps: Array.from({ length: appCount }, (_, i) => ({ name: `idle-${i}`, script: SILENT })),
      }),
    );
    velos(home, ['start', config]);
    await waitFor(
      () =>
        JSON.parse(velos(home, ['list', '--json'])).filter((p) => p.status === 'online').length === appCount,
      {
        timeoutMs: 300_000,
        intervalMs: 500,
        what: `${appCount} apps online`,
      },
    );
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 10; i++) await (await fetch(url)).text();
    const samples = [];
    const daemonPid = readPidFile(join(home, 'velos.pid'));
    const cpuBefore = readCpuSeconds(daemonPid);
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await (await fetch(url)).text();
      samples.push(performance.now() - started);
    }
    // The daemon's CPU per scrape (snapshot + render + HTTP), less sensitive to a busy machine than the
    // wall time: the CPU of the scrapes minus that of an idle window as long (the monitor of 100 apps).
    const scrapeCpu = readCpuSeconds(daemonPid) - cpuBefore;
    const windowMs = samples.reduce((a, b) => a + b, 0);
    const idleBefore = readCpuSeconds(daemonPid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const idleCpu = readCpuSeconds(daemonPid) - idleBefore;
    results.daemonCpuPerScrapeMs = round((Math.max(0, scrapeCpu - idleCpu) * 1000) / 50, 1);
    results.httpScrapeMs = round(median(samples));
    const cli = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      velos(home, ['metrics']);
      cli.push(performance.now() - started);
    }
    results.cliMetricsMs = round(median(cli), 0);
    log(
      `GET /metrics, ${appCount} idle apps: median ${results.httpScrapeMs} ms; velos metrics: ${results.cliMetricsMs} ms`,
    );
    await stopDaemon(home);
  }

  // (b) idle RSS off / on (bound) / on after 10 scrapes, a fresh daemon each
  const rss = { off: [], on: [], scraped: [] };
  for (let run = 0; run < runs; run++) {
    const offHome = newHome();
    velos(offHome, ['ping']);
    rss.off.push((await readSettledRss(readPidFile(join(offHome, 'velos.pid')))) / MB);
    await stopDaemon(offHome);
    const port = await freePort();
    const onHome = newHome(`[metrics]\nport = ${port}\n`);
    velos(onHome, ['ping']);
    const pid = readPidFile(join(onHome, 'velos.pid'));
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${port}/metrics`, { method: 'HEAD' }).then(
          (r) => r.ok,
          () => false,
        ),
      {
        timeoutMs: 10_000,
        what: 'the endpoint',
      },
    );
    rss.on.push((await readSettledRss(pid)) / MB);
    for (let i = 0; i < 10; i++) await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    rss.scraped.push((await readSettledRss(pid)) / MB);
    await stopDaemon(onHome);
  }
  results.rssOffMb = round(median(rss.off), 1);
  results.rssOnMb = round(median(rss.on), 1);
  results.rssScrapedMb = round(median(rss.scraped), 1);
  log(
    `idle daemon RSS: off ${results.rssOffMb} MB, on ${results.rssOnMb} MB, on after 10 scrapes ${results.rssScrapedMb} MB`,
  );

  // (b2) what the daemon loads while the endpoint is off: no chunk holding prom-client or the renderer
  {
    const metricsChunks = readdirSync(dist).filter((file) => {
      const text = readFileSync(join(dist, file), 'utf8');
      // prom-client itself and the renderer (the extension's own small chunk only holds an import())
      return (
        /\.c?js$/.test(file) && (text.includes('prom-client') || text.includes('velos_process_cpu_percent'))
      );
    });
    const home = newHome();
    const moduleLog = join(home, 'modules.log');
    process.env.VELOS_MODULE_LOG = moduleLog;
    velos(home, ['ping'], ['--import', HOOK]);
    const daemonPid = readPidFile(join(home, 'velos.pid'));
    delete process.env.VELOS_MODULE_LOG;
    const loaded = readFileSync(moduleLog, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(`${daemonPid} `));
    const leaked = loaded.filter((line) => metricsChunks.some((chunk) => line.endsWith(`/${chunk}`)));
    results.daemonModulesOff = loaded.length;
    results.metricsChunks = metricsChunks;
    results.metricsChunksLoadedWhileOff = leaked.length;
    log(
      `daemon (endpoint off) loaded ${loaded.length} modules, ${leaked.length} of the metrics chunks (${metricsChunks.join(', ')})`,
    );
    await stopDaemon(home);
  }

  // `velos list` against `node -e 0` (the hot path must not grow)
  {
    const home = newHome();
    velos(home, ['ping']);
    const time = (args) => {
      const samples = [];
      for (let i = 0; i < 5 + runs * 2; i++) {
        const started = performance.now();
        execFileSync(process.execPath, args, { env: { ...process.env, VELOS_HOME: home } });
        samples.push(performance.now() - started);
      }
      return median(samples);
    };
    const floor = time(['-e', '0']);
    const list = time([VELOS_BIN, 'list']);
    results.listMs = round(list, 1);
    results.nodeFloorMs = round(floor, 1);
    results.listRatio = round(list / floor);
    const hot = readFileSync(join(dist, 'velos.js'), 'utf8');
    results.hotPathHasMetrics = hot.includes('prom-client') || hot.includes('velos_process_');
    log(
      `velos list ${results.listMs} ms vs node -e 0 ${results.nodeFloorMs} ms: ${results.listRatio}x; metrics code in velos.js: ${results.hotPathHasMetrics}`,
    );
    await stopDaemon(home);
  }
} finally {
  for (const home of homes) {
    await stopDaemon(home).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  }
}
results.loadAverage = (await import('node:os')).loadavg().map((n) => round(n, 1));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
