import { join } from 'node:path';
import type { MetricsHistory } from '@velos/core';
import { AI_HISTORY_POINTS, toAiHistory } from '@velos/core/ai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  isAlive,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

async function historyJson(home: string, name: string): Promise<MetricsHistory> {
  const { stdout } = await velosOk(['describe', name, '--history', '--json'], { home });
  const [history] = JSON.parse(stdout) as MetricsHistory[];
  return history!;
}

describe('velos describe --history (OBS-7)', () => {
  it('shows sparklines, the raw columns and a compact form, and keeps them across a daemon restart', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'chatty.js'), '--name', 'chat'], { home });
    // the daemon samples every 2 s
    // polled over the socket (what `--history --json` asks and prints; the CLI reads it after the restart)
    const before = await waitFor(
      async () => {
        const [history] = await withClient(home, (client) =>
          client.metricsHistory({ target: 'chat', sinceMs: 3_600_000 }),
        );
        return history !== undefined && history.t.length >= 3 && (history.logRate.at(-1) ?? 0) > 0
          ? (JSON.parse(JSON.stringify(history)) as MetricsHistory)
          : null;
      },
      { message: 'three history points of chat', timeoutMs: 30_000 },
    );
    expect(before).toMatchObject({ id: 0, name: 'chat', namespace: 'default' });
    // chatty.js prints 10 lines a second
    expect(before.logRate.at(-1)).toBeGreaterThan(5);

    const text = await velosOk(['describe', 'chat', '--history', '--since', '30m'], { home });
    expect(text.stdout).toMatch(/^chat \(id 0, default\) last \d+s of 30m$/m);
    expect(text.stdout).toMatch(/^ {2}cpu +[▁▂▃▄▅▆▇█ ]+ {2}min [\d.]+% {2}max [\d.]+% {2}last [\d.]+%$/m);
    expect(text.stdout).toMatch(/^ {2}memory +[▁▂▃▄▅▆▇█ ]+ {2}min \d+M/m);
    expect(text.stdout).toMatch(/^ {2}logs\/s +[▁▂▃▄▅▆▇█ ]+ {2}min /m);
    expect(text.stdout).toMatch(/^ {2}restarts {2}0 in the window \(0 since added\)$/m);

    // the keys and the shape of the MCP tool metrics_history's answer for the same question
    const [ai] = JSON.parse((await velosOk(['describe', 'chat', '--history', '--ai'], { home })).stdout);
    const [mcp] = await withClient(home, async (client) =>
      (await client.metricsHistory({ target: 'chat', sinceMs: 3_600_000, points: AI_HISTORY_POINTS })).map(
        (history) => toAiHistory(history),
      ),
    );
    expect(ai).toMatchObject({ i: 0, n: 'chat', r: 0, mem: { last: expect.stringMatching(/^[\d.]+M$/) } });
    expect(Object.keys(ai).sort()).toEqual(Object.keys(mcp!).sort());
    expect(ai.cpu.s.length).toBe(mcp!.cpu!.s.length);
    expect(ai.mem.mb.length).toBeLessThanOrEqual(AI_HISTORY_POINTS);

    // a crash loop over before a sample saw it run (or all of it): its restarts are in the window all the same
    const loop = [
      'start',
      join(FIXTURES, 'crash-after.js'),
      '--name',
      'loop',
      '--max-restarts',
      '3',
      '--',
      '30',
    ];
    await velosOk(loop, { home });
    const errored = await waitForStatus(home, 'loop', 'errored');
    expect(errored.restarts).toBe(3);
    const [looped] = JSON.parse((await velosOk(['describe', 'loop', '--history', '--ai'], { home })).stdout);
    expect(looped.r).toBe(3);
    const loopText = await velosOk(['describe', 'loop', '--history'], { home });
    expect(loopText.stdout).toMatch(/^ {2}restarts {2}3 in the window/m);

    const bad = await velos(['describe', 'chat', '--history', '--since', '2d'], { home });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--since: expected a duration up to 24h/);

    const { pid } = await withClient(home, async (client) => {
      const answer = await client.ping();
      await client.kill();
      return answer;
    });
    await waitFor(() => !isAlive(pid), { message: 'the daemon to exit' });
    // the next command starts a daemon that restores chat and its history
    const after = await historyJson(home, 'chat');
    expect(after.t.slice(0, before.t.length)).toEqual(before.t);
    expect(after.cpu.slice(0, before.t.length)).toEqual(before.cpu);
  });
});
