import { afterEach, describe, expect, it } from 'vitest';
import {
  busEvents,
  cleanupHomes,
  createHome,
  deleteApps,
  killDaemon,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

/** One event of `velos events --json`. */
interface EventRow {
  at: number;
  kind: string;
  severity: string;
  app?: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** One component of `velos components --json` (ReportedComponent in @velos/core). */
interface ComponentRow {
  name: string;
  status: string;
  app?: string;
  message?: string;
  intervalMs: number;
  isStale: boolean;
  reports: number;
}

async function eventsJson(home: string, ...args: string[]): Promise<EventRow[]> {
  return JSON.parse((await velosOk(['events', ...args, '--json'], { home })).stdout) as EventRow[];
}

async function componentsJson(home: string): Promise<ComponentRow[]> {
  return JSON.parse((await velosOk(['components', '--json'], { home })).stdout) as ComponentRow[];
}

/** The components as `velos components --json` prints them, over the socket. */
function componentsState(home: string): Promise<ComponentRow[]> {
  return withClient(home, async (client) => JSON.parse(JSON.stringify(await client.components())));
}

/** The bus events of one kind (the newest 1000, oldest first) over the socket, as `velos events --kind K --json` prints them. */
async function eventsOfKind(home: string, kind: string): Promise<EventRow[]> {
  return JSON.parse(JSON.stringify(await busEvents(home, [kind]))) as EventRow[];
}

describe('velos components (OBS-2: outside components that report their health)', () => {
  // the first and the last test share a daemon (the last one only needs one to refuse an unknown app);
  // the two of a daemon restart have their own
  const shared = sharedHome();

  it('marks a component stale after its interval, tells it recovered, and keeps it out of the daemon status', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'api'], { home });
    await waitForStatus(home, 'api', 'online');
    // an alert rule of the app matches the component's events: they carry the app
    await velosOk(['alerts', 'add', 'late', '--when', 'event component.stale', '--app', 'api'], { home });
    // a state condition: firing while the component is stale, resolved when it reports again
    await velosOk(['alerts', 'add', 'silent', '--when', 'component stale', '--app', 'api'], { home });

    // the text answer, with an hour's interval; then the JSON answer of a 1 s one, read from the report
    // itself: a second CLI process may start after the component's 2 s (interval and grace) on a loaded machine
    const reported = await velosOk(
      ['components', 'report', 'nightly', '--interval', '1h', '--status', 'healthy', '--app', 'api'],
      { home },
    );
    expect(reported.stdout).toBe('reported nightly: healthy\n');
    const fresh = await velosOk(
      [
        'components',
        'report',
        'nightly',
        '--interval',
        '1s',
        '--status',
        'healthy',
        '--app',
        'api',
        '--message',
        'ok',
        '--json',
      ],
      { home },
    );
    expect(JSON.parse(fresh.stdout)).toMatchObject({
      name: 'nightly',
      status: 'healthy',
      app: 'api',
      message: 'ok',
      intervalMs: 1000,
      isStale: false,
    });

    const stale = await waitFor(
      async () =>
        (await eventsOfKind(home, 'component.stale')).find((e) => e.fields?.component === 'nightly'),
      { message: 'component.stale of nightly', timeoutMs: 15_000 },
    );
    expect(stale).toMatchObject({ severity: 'warning', app: 'api' });
    expect((await componentsJson(home))[0]).toMatchObject({ name: 'nightly', isStale: true });
    const table = (await velosOk(['components'], { home })).stdout;
    expect(table).toMatch(/nightly\s+stale \(healthy\)\s+api\s+1s/);

    // the daemon's own status is not the component's; health lists it apart
    const health = await velos(['health', '--json'], { home });
    expect(health.code).toBe(0);
    const parsed = JSON.parse(health.stdout) as { status: string; reported: ComponentRow[] };
    expect(parsed.status).not.toBe('unhealthy');
    expect(parsed.reported).toEqual([expect.objectContaining({ name: 'nightly', isStale: true })]);
    const ai = JSON.parse((await velos(['health', '--ai'], { home })).stdout) as { rep: unknown[] };
    expect(ai.rep).toEqual([expect.objectContaining({ n: 'nightly', s: 'healthy', stale: true })]);

    const firing = await waitFor(
      async () => (await eventsOfKind(home, 'alert.firing')).find((e) => e.fields?.rule === 'late'),
      { message: 'the alert rule late firing', timeoutMs: 15_000 },
    );
    expect(firing.app).toBe('api');
    await waitFor(
      async () => (await eventsOfKind(home, 'alert.firing')).find((e) => e.fields?.rule === 'silent'),
      { message: 'the alert rule silent firing', timeoutMs: 15_000 },
    );

    // the recovery's report over the socket: its CLI answer is the one checked above
    await withClient(home, (client) =>
      client.reportComponent({
        name: 'nightly',
        intervalMs: 60_000,
        status: 'unhealthy',
        message: 'disk full',
        app: 'api',
      }),
    );
    // the state condition resolves at the recovery; the event condition waits out its resolve_after (1m)
    await waitFor(
      async () => (await eventsOfKind(home, 'alert.resolved')).find((e) => e.fields?.rule === 'silent'),
      { message: 'the alert rule silent resolved', timeoutMs: 15_000 },
    );
    expect((await eventsOfKind(home, 'alert.resolved')).map((e) => e.fields?.rule)).toEqual(['silent']);
    const kinds = (await eventsJson(home, 'api', '--kind', 'component')).map((e) => e.kind);
    expect(kinds).toEqual(['component.status', 'component.stale', 'component.recovered', 'component.status']);
    expect((await componentsState(home))[0]).toMatchObject({
      status: 'unhealthy',
      isStale: false,
      reports: 3,
    });

    expect((await velosOk(['components', 'remove', 'nightly'], { home })).stdout).toBe(
      'removed component nightly\n',
    );
    const again = await velos(['components', 'remove', 'nightly'], { home });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("no component is called 'nightly'");
    const removed = await withClient(home, (client) =>
      client.events({ target: 'api', kinds: ['component.removed'] }),
    );
    expect(removed.events.map((e) => e.message)).toEqual(['component nightly was removed']);
    expect(await componentsState(home)).toEqual([]);
    // the shared daemon as it was: no app, no rule of this test
    await deleteApps(home, ['api']);
    await withClient(home, async (client) => {
      for (const rule of ['late', 'silent']) await client.removeAlert(rule);
    });
    // about 15 CLI runs: on a loaded machine they alone take past the default 60 s
  }, 120_000);

  it('keeps the components across a daemon restart, each given one interval again', async () => {
    const home = createHome();
    await velosOk(
      ['components', 'report', 'hourly', '--interval', '5s', '--status', 'degraded', '--message', 'm'],
      {
        home,
      },
    );
    // what `velos kill` sends (and it waits as the CLI does for the daemon to exit), without a CLI process
    await killDaemon(home);
    const restartedAt = Date.now();
    // the CLI starts the next daemon
    const [kept] = await componentsJson(home);
    expect(kept).toMatchObject({
      name: 'hourly',
      status: 'degraded',
      message: 'm',
      intervalMs: 5000,
      reports: 1,
    });
    // the new daemon's (on a loaded machine the first one may have found it stale before the kill)
    const stale = await waitFor(
      async () =>
        (await eventsOfKind(home, 'component.stale')).find(
          (e) => e.fields?.component === 'hourly' && e.at >= restartedAt,
        ),
      { message: 'component.stale of hourly after the restart', timeoutMs: 40_000 },
    );
    // not stale at once: the new daemon gives it its interval (plus 1 s of grace) from its start
    expect(stale.at).toBeGreaterThanOrEqual(restartedAt + 6000);
    expect(stale.severity).toBe('warning');
  });

  it('a restored component stale alert resolves only once none of its components is stale', async () => {
    const home = createHome();
    await velosOk(['alerts', 'add', 'silent', '--when', 'component stale'], { home });
    const report = (name: string, intervalMs: number) =>
      withClient(home, (client) => client.reportComponent({ name, intervalMs, status: 'healthy' }));
    for (const name of ['backup', 'sync']) await report(name, 1000);
    // what `velos alerts --json` prints of the rule's instance, over the socket
    const firing = async (): Promise<{ phase: string; message: string } | undefined> => {
      const alerts = await withClient(home, (client) => client.alerts());
      return alerts.find((alert) => alert.rule.name === 'silent')?.instances.find((i) => i.key === '*');
    };
    await waitFor(
      async () => {
        const message = (await firing())?.message ?? '';
        return message.includes('backup') && message.includes('sync');
      },
      { message: 'the alert naming both stale components', timeoutMs: 30_000 },
    );
    // `velos kill` saves components.json at close: both are stale there, and stay so without a new event
    await killDaemon(home);
    // the CLI starts the next daemon
    expect((await componentsJson(home)).map((c) => [c.name, c.isStale])).toEqual([
      ['backup', true],
      ['sync', true],
    ]);
    expect(await firing()).toMatchObject({ phase: 'firing' });

    await report('backup', 3_600_000);
    await waitFor(
      async () =>
        (await eventsOfKind(home, 'component.recovered')).some((e) => e.fields?.component === 'backup'),
      { message: 'component.recovered of backup' },
    );
    // sync is still stale: the alert holds, naming it only
    const held = await firing();
    expect(held).toMatchObject({ phase: 'firing' });
    expect(held?.message).toContain('sync');
    expect(held?.message).not.toContain('backup');

    await report('sync', 3_600_000);
    await waitFor(async () => (await firing())?.phase === 'resolved', { message: 'the alert resolved' });
  }, 150_000);

  it('refuses a report without a unit, a status or out of bounds, before asking the daemon', async () => {
    const home = shared();
    const cases: [string[], RegExp][] = [
      [
        ['--interval', '30', '--status', 'healthy'],
        /--interval: expected a duration with its unit from 1s to 24h/,
      ],
      [['--interval', '25h', '--status', 'healthy'], /--interval: expected a duration with its unit/],
      [
        ['--interval', '1m', '--status', 'fine'],
        /--status: expected healthy, degraded, unhealthy, got "fine"/,
      ],
      [['--interval', '1m'], /--status: expected/],
    ];
    for (const [flags, message] of cases) {
      const result = await velos(['components', 'report', 'x', ...flags], { home });
      expect(result.code, flags.join(' ')).toBe(2); // a usage error
      expect(result.stderr).toMatch(message);
    }
    const unknownApp = await velos(
      ['components', 'report', 'x', '--interval', '1m', '--status', 'healthy', '--app', 'nope'],
      {
        home,
      },
    );
    expect(unknownApp.stderr).toContain("no app matches 'nope'");
  });
});
