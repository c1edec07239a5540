import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertReceiver, startReceiver } from './alert-receiver.js';
import { cleanupHomes, createHome, FIXTURES, readLines, velos, velosOk, waitFor } from './helpers.js';

const receivers: AlertReceiver[] = [];
afterEach(async () => {
  await cleanupHomes();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

const APPS = ['a1', 'a2', 'a3', 'a4', 'a5'];

/** The apps a webhook body or a command's stdin is about: its `app`, or a group's `apps`. */
function appsOf(body: Record<string, unknown>): string[] {
  return Array.isArray(body.apps) ? (body.apps as string[]) : [String(body.app)];
}

describe('alerts grouped by group_interval (OBS-3)', () => {
  it('a storm of apps is one message per interval, each app told once, to a webhook and a command', async () => {
    const home = createHome();
    const hook = await startReceiver();
    receivers.push(hook);
    const out = join(home, 'command-alerts.jsonl');
    // the apps exit at once: velos start sets a file's rules before its apps start, so each exit is seen
    const apps = APPS.map(
      (name) =>
        `[[apps]]\nname = "${name}"\nscript = "${join(FIXTURES, 'crash-after.js')}"\nargs = ["0"]\nautorestart = false\n`,
    ).join('\n');
    const file = join(home, 'app.toml');
    writeFileSync(
      file,
      `${apps}
[[alerts]]
name = "exits"
when = "event exited"
group_interval = "4s"
webhook = { url = "${hook.url}/hook", retries = 0 }
command = ["node", "${join(FIXTURES, 'alert-recorder.js')}", "${out}"]
`,
    );
    await velosOk(['start', file], { home });

    const told = () => hook.received.filter((r) => r.body.status === 'firing').flatMap((r) => appsOf(r.body));
    await waitFor(() => told().length >= APPS.length, { message: 'every app told', timeoutMs: 30_000 });
    // each app once, in fewer messages than apps: the first at once, the rest within 4 s in one
    expect(told().sort()).toEqual(APPS);
    const posts = hook.received.filter((r) => r.body.status === 'firing');
    expect(posts.length).toBeLessThan(APPS.length);
    const group = posts.find((r) => Array.isArray(r.body.apps))!;
    expect(group.body).toMatchObject({ rule: 'exits', status: 'firing', app: null });
    const count = (group.body.apps as string[]).length;
    expect(group.body.count).toBe(count);
    expect((group.body.alerts as { app: string }[]).map((a) => a.app)).toEqual(group.body.apps);
    expect(String(group.body.text)).toMatch(
      new RegExp(`^\\[FIRING\\] exits \\(warning\\) ${count} alerts\\n• a\\d: `),
    );
    expect(String(group.body.text).split('\n')).toHaveLength(count + 1);

    // the command got the same messages, the group's apps in one variable
    const recorded = await waitFor(
      () => {
        const lines = readLines(out).map((line) => JSON.parse(line));
        return lines.length === posts.length ? lines : undefined;
      },
      { message: 'the command run once per message' },
    );
    const grouped = recorded.find((r) => r.env.VELOS_ALERT_COUNT !== undefined)!;
    expect(grouped.env.VELOS_ALERT_APPS.split(',')).toEqual(grouped.stdin.apps);
    expect(grouped.env.VELOS_ALERT_COUNT).toBe(String(grouped.stdin.apps.length));
  });

  it('velos alerts add --group-interval sets it; less than a second is refused naming the flag', async () => {
    const home = createHome();
    await velosOk(['alerts', 'add', 'g', '--when', 'errored', '--group-interval', '30s'], { home });
    const rows = JSON.parse((await velosOk(['alerts', '--json'], { home })).stdout);
    expect(rows[0].rule).toMatchObject({ name: 'g', groupIntervalMs: 30_000 });
    const refused = await velos(['alerts', 'add', 'h', '--when', 'errored', '--group-interval', '10ms'], {
      home,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'velos: alerts add: --group-interval: expected at least 1000 ms, got "10ms"',
    );
  });
});
