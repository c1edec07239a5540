import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { cleanupHomes, createHome, FIXTURES, killChild, velosOk, waitFor, waitForStatus } from './helpers.js';
import { requireBinary } from './metrics-tools.js';

const PROMETHEUS = '/usr/bin/prometheus';
const hasPrometheus = requireBinary(PROMETHEUS);
const started: { child: ChildProcess; dir: string }[] = [];

afterEach(async () => {
  for (const { child, dir } of started.splice(0)) {
    killChild(child);
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, {
      message: 'prometheus to stop',
    });
    rmSync(dir, { recursive: true, force: true });
  }
  await cleanupHomes();
});

/** Starts a real Prometheus scraping `target` every second; returns its HTTP API base URL. */
async function startPrometheus(target: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'velos-prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: velos\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.push({ child, dir });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, {
    timeoutMs: 30_000,
    message: `prometheus to be ready (stderr: ${stderr})`,
  });
  return base;
}

/** The value of an instant PromQL query with one result, through Prometheus' HTTP API. */
async function queryOne(base: string, promql: string): Promise<number | undefined> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  const [first] = body.data.result;
  return first === undefined ? undefined : Number(first.value[1]);
}

describe('a real Prometheus scrapes the daemon (OBS-1)', () => {
  it.skipIf(!hasPrometheus)('PromQL returns a fixture memory and its restart count', async () => {
    const home = createHome();
    const metricsPort = await freePort();
    writeFileSync(join(home, 'config.toml'), `[metrics]\nport = ${metricsPort}\n`);
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'scraped'], { home });
    const first = await waitForStatus(home, 'scraped', 'online');
    // one crash: the daemon restarts it, and the restart counter says 1
    process.kill(first.pid!, 'SIGKILL');
    await waitFor(
      async () => {
        const row = await waitForStatus(home, 'scraped', 'online');
        return row.pid !== first.pid && row.restarts === 1;
      },
      { message: 'scraped to be restarted once' },
    );
    const base = await startPrometheus(`127.0.0.1:${metricsPort}`);
    const restarts = await waitFor(() => queryOne(base, 'velos_process_restart_total{name="scraped"}'), {
      timeoutMs: 30_000,
      message: 'velos_process_restart_total in Prometheus',
    });
    expect(restarts).toBe(1);
    const memory = await waitFor(
      () => queryOne(base, 'velos_process_memory_bytes{name="scraped",namespace="default"}'),
      {
        timeoutMs: 30_000,
        message: 'velos_process_memory_bytes > 0 in Prometheus',
      },
    );
    expect(memory).toBeGreaterThan(1_000_000);
    expect(await queryOne(base, 'up{job="velos"}')).toBe(1);
  });
});
