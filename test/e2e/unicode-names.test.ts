import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  describeJson,
  FIXTURES,
  homeEnv,
  onlineRows,
  outLog,
  rowsNamed,
  SeenProcesses,
  sharedHome,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';
import { startServe } from './serve-helpers.js';

// App names of the PM2 migration issue: Cyrillic, CJK, and café written decomposed (e + U+0301) in the
// config file, which Velos keeps in one spelling (NFC)
const ORDERS = 'заказы-api';
const CHUMON = '注文';
const CAFE = 'caf\u00e9-api';
const CAFE_DECOMPOSED = 'cafe\u0301-api';

afterAll(async () => {
  await cleanupHomes();
});

/** Terminal columns of a text, for the names of this file: CJK characters take two. */
function columns(text: string): number {
  return [...text].reduce(
    (n, char) => n + (/[\u2e80-\ua4cf\uac00-\ud7a3\uff00-\uff60]/.test(char) ? 2 : 1),
    0,
  );
}

describe('app names of any script (PM2 migration): every surface', () => {
  const shared = sharedHome();

  it('starts, lists, logs, restarts and stops apps named заказы-api, 注文 and café-api', async () => {
    const home = shared();
    // --name on the quick start path, and a config file on the full one
    await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', ORDERS], {
      home,
      env: { TICK_MS: '100' },
    });
    const config = join(home, 'apps.yaml');
    writeFileSync(
      config,
      [
        'apps:',
        `  - name: ${CHUMON}`,
        `    script: ${join(FIXTURES, 'ticker.js')}`,
        '    env: { TICK_MS: 100 }',
        `  - name: ${CAFE_DECOMPOSED}`,
        `    script: ${join(FIXTURES, 'echo-env.js')}`,
        '    env: { SHOW_ENV: VELOS_NAME }',
        '',
      ].join('\n'),
    );
    await velosOk(['start', config], { home });
    for (const name of [ORDERS, CHUMON, CAFE]) await onlineRows(home, name, 1);
    expect(await rowsNamed(home, CAFE_DECOMPOSED)).toEqual([]);

    // the table pads by terminal columns: every row's pid ends where the header's does
    const table = (await velosOk(['list'], { home })).stdout.trimEnd().split('\n');
    const statusAt = (line: string) => columns(line.slice(0, line.search(/ (status|online)\b/)));
    expect(table).toHaveLength(4);
    expect(new Set(table.map(statusAt)).size, table.join('\n')).toBe(1);
    const ai = JSON.parse((await velosOk(['list', '--ai'], { home })).stdout) as { n: string }[];
    expect(ai.map((row) => row.n).sort()).toEqual([CAFE, ORDERS, CHUMON].sort());

    // log files named after the app, and `velos logs <name>` (a decomposed name finds the app too)
    await waitFor(
      () =>
        existsSync(outLog(home, CHUMON)) && readFileSync(outLog(home, CHUMON), 'utf8').includes(' line 3'),
    );
    expect(existsSync(outLog(home, ORDERS))).toBe(true);
    const logs = await velosOk(['logs', CHUMON, '--lines', '3', '--out'], { home });
    expect(logs.stdout.trim().split('\n')).toHaveLength(3);
    expect(logs.stdout).toMatch(new RegExp(`^${CHUMON} \\| ticker \\d+ line \\d+$`, 'm'));
    const cafeLogs = await velosOk(['logs', CAFE_DECOMPOSED, '--lines', '1', '--out'], { home });
    expect(cafeLogs.stdout).toContain(`${CAFE} | {"argv":[]`);
    expect(cafeLogs.stdout).toContain(`"VELOS_NAME":"${CAFE}"`);
    const [detail] = await describeJson(home, CHUMON);
    expect(detail!.outLogPath).toBe(outLog(home, CHUMON));

    // restart by name, also spelled decomposed; events carry the name
    const before = (await rowsNamed(home, CAFE))[0]!;
    await velosOk(['restart', ORDERS], { home });
    await velosOk(['restart', CAFE_DECOMPOSED], { home });
    await waitFor(async () => {
      const row = (await rowsNamed(home, CAFE))[0];
      return row?.status === 'online' && row.pid !== before.pid;
    });
    const events = JSON.parse((await velosOk(['events', ORDERS, '--json'], { home })).stdout) as {
      app?: string;
      kind: string;
    }[];
    expect(events.some((event) => event.app === ORDERS && event.kind === 'process.restarting')).toBe(true);

    await velosOk(['stop', ORDERS], { home });
    await waitForStatus(home, ORDERS, 'stopped');
    await velosOk(['start', ORDERS], { home });
    await onlineRows(home, ORDERS, 1);
  }, 120_000);

  it('serves the names in REST paths (percent-encoded) and in Prometheus labels', async () => {
    const home = shared();
    const api = await startServe(home);
    try {
      const get = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${api.url}/api/v1${path}`, {
          ...init,
          headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'application/json' },
        });
        return { status: response.status, body: await response.text() };
      };
      const chumon = encodeURIComponent(CHUMON);
      const described = await get(`/processes/${chumon}`);
      expect(described.status, described.body).toBe(200);
      expect(JSON.parse(described.body)).toMatchObject({ processes: [{ name: CHUMON }] });
      const decomposed = await get(`/processes/${encodeURIComponent(CAFE_DECOMPOSED)}`);
      expect(JSON.parse(decomposed.body)).toMatchObject({ processes: [{ name: CAFE }] });
      const logs = await get(`/logs/${encodeURIComponent(ORDERS)}?lines=2`);
      expect(logs.status, logs.body).toBe(200);
      expect(JSON.parse(logs.body).lines[0]).toMatchObject({ name: ORDERS });

      const metrics = await get('/metrics/prometheus');
      expect(metrics.status).toBe(200);
      for (const name of [ORDERS, CHUMON, CAFE]) {
        expect(metrics.body).toMatch(new RegExp(`^velos_process_restart_total\\{[^}]*name="${name}"`, 'm'));
      }

      const stopped = await get(`/processes/${chumon}/stop`, { method: 'POST', body: '{}' });
      expect(stopped.status, stopped.body).toBe(200);
      await waitForStatus(home, CHUMON, 'stopped');
    } finally {
      api.stop();
    }
  }, 120_000);

  it('answers MCP tools about them, and deletes them by name', async () => {
    const home = shared();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [VELOS_BIN, 'mcp'],
      env: homeEnv(home) as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'velos-e2e-unicode', version: '1.0.0' });
    await client.connect(transport);
    const mcp = new SeenProcesses();
    mcp.add(transport.pid);
    try {
      const text = async (name: string, args: Record<string, unknown>) => {
        const result = (await client.callTool({ name, arguments: args })) as {
          content: { text: string }[];
          isError?: boolean;
        };
        expect(result.isError, result.content[0]?.text).not.toBe(true);
        return result.content[0]?.text ?? '';
      };
      expect(await text('process_info', { target: ORDERS })).toContain(`"${ORDERS}"`);
      expect(await text('log_read', { target: ORDERS, lines: 2 })).toMatch(/ticker \d+ line \d+/);
      await text('process_restart', { target: CHUMON });
      await onlineRows(home, CHUMON, 1);
    } finally {
      await client.close().catch(() => undefined);
      mcp.killAll();
    }
    for (const name of [ORDERS, CHUMON, CAFE_DECOMPOSED]) await velosOk(['delete', name], { home });
    expect((await velos(['list', '--json'], { home })).stdout.trim()).toBe('[]');
  }, 120_000);
});
