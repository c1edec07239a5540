import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertScenarios } from './alert-scenario.js';
import { FIXTURES, velosOk, waitFor } from './helpers.js';

const scenario = alertScenarios();

describe('job failed N times in a row', () => {
  it('resolves when the failing job is deleted (it fired, and repeated, for ever)', async () => {
    const { home, hook, file } = await scenario(
      (url) => `[[apps]]
name = "failjob"
script = "${join(FIXTURES, 'crash-after.js')}"
args = ["10"]
type = "job"
interval = "500ms"

[[alerts]]
name = "jobfail"
app = "failjob"
when = "job failed 2 times in a row"
repeat = "1s"
webhook = { url = "${url}/job", retries = 0 }
`,
    );
    await velosOk(['start', file], { home });
    const firing = await waitFor(() => hook.received.find((r) => r.body.status === 'firing'), {
      message: 'the firing notification',
    });
    // run 2, or later when a slow run skipped a due time (a skipped run takes a number of its own)
    expect(firing.body.message).toMatch(
      /^failjob failed 2 time\(s\) in a row: job failjob: run [2-9] failed/,
    );

    await velosOk(['delete', 'failjob'], { home });
    const resolved = await waitFor(() => hook.received.find((r) => r.body.status === 'resolved'), {
      message: 'the resolved notification after the delete',
      timeoutMs: 10_000,
    });
    expect(resolved.body).toMatchObject({ rule: 'jobfail', app: 'failjob' });
    const rows = JSON.parse((await velosOk(['alerts', '--json'], { home })).stdout) as { phase: string }[];
    expect(rows[0]!.phase).toBe('resolved');
  });
});
