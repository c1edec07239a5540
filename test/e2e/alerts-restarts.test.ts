import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertScenarios } from './alert-scenario.js';
import { FIXTURES, listState, velosOk, waitFor } from './helpers.js';

const scenario = alertScenarios();

describe('restarts >= N within T', () => {
  it('does not take one velos restart of an app of 3 instances for a restart storm', async () => {
    const { home, hook, file } = await scenario(
      (url) => `[[apps]]
name = "web"
script = "${join(FIXTURES, 'ticker.js')}"
instances = 3

[[alerts]]
name = "storm"
app = "web"
when = "restarts >= 3 within 10m"
webhook = { url = "${url}/storm", retries = 0 }
`,
    );
    await velosOk(['start', file], { home });
    await waitFor(async () => (await listState(home)).filter((r) => r.status === 'online').length === 3, {
      message: '3 instances online',
    });
    await velosOk(['restart', 'web'], { home });
    await waitFor(
      async () =>
        (await listState(home)).filter((r) => r.status === 'online' && r.restarts === 1).length === 3,
      { message: '3 instances online again after their restart' },
    );
    // the engine judges each event as it comes: had they counted, the rule would fire by now
    const [row] = JSON.parse((await velosOk(['alerts', '--json'], { home })).stdout) as { phase: string }[];
    expect(row!.phase).toBe('ok');
    expect(hook.received).toEqual([]);
    // they are still restarts for the process table and Prometheus
    const metrics = (await velosOk(['metrics'], { home })).stdout;
    expect(metrics.match(/^velos_process_restart_total\{name="web",.*\} 1$/gm)).toHaveLength(3);
  });
});
