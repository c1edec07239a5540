import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertScenarios } from './alert-scenario.js';
import { FIXTURES, velosOk, waitFor, waitForStatus } from './helpers.js';

const scenario = alertScenarios();

describe('alert messages say what happened', () => {
  it('a restart storm counts every restart of its window (8 restarts read "6 times" with N = 3)', async () => {
    const { home, hook, file } = await scenario(
      (url) => `[[apps]]
name = "crashy"
script = "${join(FIXTURES, 'crash-after.js')}"
args = ["100"]
restart_delay = "50ms"
max_restarts = 8
# every run unstable, however slow the machine: a run past min_uptime (1 s) started the count again (18 restarts once)
min_uptime = "1h"

[[alerts]]
name = "storm"
app = "crashy"
when = "restarts >= 3 within 10m"
repeat = "1s"
webhook = { url = "${url}/hook", retries = 0 }
`,
    );
    await velosOk(['start', file], { home });
    const errored = await waitForStatus(home, 'crashy', 'errored');
    expect(errored.restarts).toBe(8);
    // a repeat made after the app gave up tells all 8 restarts of the window
    const erroredAt = Date.now();
    const repeat = await waitFor(
      () => hook.received.find((r) => r.at > erroredAt + 50 && r.body.status === 'firing'),
      { message: 'a repeat after the app errored' },
    );
    expect(repeat.body.message).toBe('crashy restarted 8 times within 10m');
  });

  it('names the app once when the event message begins with it (log engine events read "mixer: mixer: …")', async () => {
    const { home, hook } = await scenario();
    await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'mixer'], { home });
    await velosOk(['alerts', 'add', 'boom', '--when', 'event app.boom', '--webhook', `${hook.url}/boom`], {
      home,
    });
    await velosOk(
      ['events', 'emit', 'boom', '--app', 'mixer', '--message', 'mixer: 300 error lines in 10 s'],
      {
        home,
      },
    );
    const firing = await waitFor(() => hook.received.find((r) => r.body.status === 'firing'), {
      message: 'the firing notification',
    });
    expect(firing.body.text).toBe('[FIRING] boom (warning) mixer: 300 error lines in 10 s');
    expect(firing.body.message).toBe('mixer: 300 error lines in 10 s');
  });
});
