import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { expandEventKindWords } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  createHome,
  deleteApps,
  FIXTURES,
  isAlive,
  type ListRow,
  outLog,
  readLines,
  readPidFile,
  rowsNamed,
  sharedHome,
  spawnVelos,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

/** One event of `velos events --json` (VelosEvent in @velos/core). */
interface EventRow {
  seq: number;
  at: number;
  kind: string;
  severity: string;
  app?: string;
  id?: number;
  message: string;
  fields?: Record<string, unknown>;
}

async function eventsJson(home: string, ...args: string[]): Promise<EventRow[]> {
  const result = await velosOk(['events', ...args, '--json', '--limit', '10000'], { home });
  return JSON.parse(result.stdout) as EventRow[];
}

/**
 * The events of `target` and `kinds` over the daemon's socket (no CLI process): for polling until they
 * are there, where the CLI's output is not what is checked.
 */
async function eventsState(home: string, target: string, kinds: string[]): Promise<EventRow[]> {
  const client = createClient({ home, autoStart: false, timeoutMs: 10_000 });
  try {
    // the kinds as the CLI's --kind expands them
    const filters = expandEventKindWords(kinds);
    if (typeof filters === 'string') throw new Error(filters);
    return (await client.events({ target, kinds: filters, limit: 10_000 })).events as EventRow[];
  } finally {
    await client.close().catch(() => undefined);
  }
}

const kindsOf = (events: EventRow[]) => events.map((event) => event.kind);
const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('velos events (OBS-2)', () => {
  it('refuses bad filters with a one-line usage error', async () => {
    const home = createHome();
    const cases = [
      [['--since', 'yesterday'], '--since: expected a duration'],
      [['--since', '5'], '--since: add a unit'],
      [['--limit', '0'], '--limit: expected a whole number'],
      [['--since', '1m', '--until', '1h'], '--since is later than --until'],
      [['a', 'b'], 'unexpected argument "b"'],
      [['-f', '--until', '1m'], '--until cannot be used with --follow'],
      [['emit', 'bad name'], 'event name "bad name"'],
      [['emit', 'ok', '--severity', 'loud'], '--severity: expected info, warning (or warn), error (or err)'],
      [
        ['emit', '-bad'],
        'unknown option -b for velos events; an event name starts with a letter, a digit or _',
      ],
      [['emit', 'ok', 'novalue'], 'expected a field as key=value'],
      [['--kind', 'bogus'], '--kind: unknown event kind "bogus": expected a kind (process.started,'],
      [['--kind', 'exited,process.restarted'], 'unknown event kind "process.restarted"'],
      [['--kind', 'app.'], 'unknown event kind "app.": expected a kind'],
    ] as const;
    // independent calls: run at once
    const results = await Promise.all(cases.map(([args]) => velos(['events', ...args], { home })));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--follow goes on across velos update after the last event shown, and ends with a line at velos kill', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'steady'], { home });
    const before = await waitForStatus(home, 'steady', 'online');
    const follower = spawnVelos(['events', '--follow', '--json'], { home });
    let out = '';
    let errors = '';
    follower.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    follower.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    const exited = new Promise<number | null>((resolve) => follower.once('exit', (code) => resolve(code)));
    const events = () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { seq: number; kind: string; fields?: { pid?: number } });
    await waitFor(() => events().some((e) => e.kind === 'process.online'), { message: 'the backlog' });
    const update = await velosOk(['update', '--json'], { home });
    const daemon = (JSON.parse(update.stdout) as { new: { pid: number } }).new.pid;
    await waitFor(() => events().some((e) => e.kind === 'daemon.started' && e.fields?.pid === daemon), {
      message: () => `the new daemon's start on the follower; stderr: ${errors}`,
    });
    await velosOk(['events', 'emit', 'after.update', '--app', 'steady'], { home });
    await waitFor(() => events().some((e) => e.kind === 'app.after.update'), { message: 'a new event' });
    const seqs = events().map((e) => e.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect((await waitForStatus(home, 'steady', 'online')).pid).toBe(before.pid);

    await velosOk(['kill'], { home });
    expect(await exited).toBe(0);
    expect(events().at(-1)?.kind).toBe('daemon.stopping');
    expect(errors).toContain('velos events: the Velos daemon stopped; nothing more to follow');
  });

  it('--follow resumed after a daemon restart gets all of the more than 8 MiB of events it missed, in order', async () => {
    const home = createHome();
    await velosOk(['ping'], { home });
    const follower = spawnVelos(['events', '--follow', '--json', '--kind', 'app'], { home });
    let out = '';
    let errors = '';
    follower.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    follower.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    const events = () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { seq: number; kind: string; skipped?: number });
    const emit = (name: string, fields?: Record<string, string>) =>
      withClient(home, (client) => client.emitEvent({ name, ...(fields === undefined ? {} : { fields }) }));
    await emit('before.restart');
    await waitFor(() => events().some((e) => e.kind === 'app.before.restart'), { message: 'the live event' });
    // the follower reads nothing while its daemon dies and the next one gets 90 events of 100 KB (9 MB)
    follower.kill('SIGSTOP');
    const first = readPidFile(home)!;
    process.kill(first, 'SIGKILL');
    await waitFor(() => !isAlive(first), { message: 'the first daemon to die' });
    await velosOk(['ping'], { home });
    const fields = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, 'x'.repeat(2000)]));
    const emitted: number[] = [];
    for (let i = 0; i < 90; i += 1) emitted.push((await emit('big', fields)).seq);
    follower.kill('SIGCONT');
    await waitFor(() => events().at(-1)?.seq === emitted.at(-1), {
      timeoutMs: 30_000,
      message: () => `the last big event on the follower; stderr: ${errors}`,
    });
    const resumed = events().slice(events().findIndex((e) => e.kind === 'app.before.restart') + 1);
    expect(resumed.map((e) => e.seq)).toEqual(emitted);
    expect(errors).not.toContain('skipped');
  });

  it('tells restarts by Velos and keeps the events across a daemon restart, seq going on', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'steady'], { home });
    await waitForStatus(home, 'steady', 'online');
    await velosOk(['restart', 'steady'], { home });
    await waitForStatus(home, 'steady', 'online');
    const before = await eventsJson(home);
    const kinds = kindsOf(before.filter((event) => event.app === 'steady'));
    expect(kinds.slice(-4)).toEqual([
      'process.exited',
      'process.restarting',
      'process.started',
      'process.online',
    ]);
    expect(before.find((event) => event.kind === 'process.restarting')?.fields).toMatchObject({
      reason: 'user',
    });

    await velosOk(['save'], { home });
    await velosOk(['kill'], { home });
    const after = await eventsJson(home);
    const lastBefore = before.at(-1)!.seq;
    expect(after.slice(0, before.length)).toEqual(before);
    const newer = after.filter((event) => event.seq > lastBefore);
    expect(kindsOf(newer)).toContain('daemon.stopping');
    expect(kindsOf(newer)).toContain('daemon.started');
    expect(newer.map((event) => event.seq)).toEqual(newer.map((_, i) => lastBefore + i + 1));
  });

  // Tests that only read their own app's events share one home and daemon (each deletes its apps, and
  // names them apart: a deleted app's events stay in the log); a daemon of their own each cost ~0.5 s of CPU.
  describe('on one daemon', () => {
    const shared = sharedHome();

    it('shows a crashing app exiting, restarting and errored, with --kind, --since/--until and target filters', async () => {
      const home = shared();
      // names no other test of this daemon uses: the events of a deleted app stay in the log
      await velosOk(
        ['start', 'fixtures/crash-after.js', '--name', 'crashy', '--max-restarts', '2', '--min-uptime', '5s'],
        { home, env: { CRASH_AFTER_MS: '100' } },
      );
      await velosOk(['start', 'fixtures/silent.js', '--name', 'steady-1'], { home });
      const { id: crashyId } = await waitForStatus(home, 'crashy', 'errored');
      const { id: steadyId } = await waitForStatus(home, 'steady-1', 'online');

      const all = await eventsJson(home);
      expect(all.map((event) => event.seq)).toEqual([...all.map((event) => event.seq)].sort((a, b) => a - b));
      expect(kindsOf(all)).toContain('daemon.started');
      const crashy = all.filter((event) => event.app === 'crashy');
      expect(kindsOf(crashy)).toEqual(
        expect.arrayContaining(['process.started', 'process.online', 'process.exited']),
      );
      const exited = crashy.find((event) => event.kind === 'process.exited')!;
      expect(exited).toMatchObject({
        id: crashyId,
        severity: 'warning',
        fields: { code: 1, signal: null, reason: 'crash' },
      });
      expect(crashy.find((event) => event.kind === 'process.restarting')?.fields).toMatchObject({
        reason: 'crash',
      });
      expect(crashy.at(-1)).toMatchObject({ kind: 'process.errored', severity: 'error' });

      // read-only queries of the same log: run at once; --until a minute before the log's first event
      const [exits, several, steady, byId, sinceHour, untilBefore, sinceLater, limited] = await Promise.all([
        eventsJson(home, 'crashy', '--kind', 'exit'),
        eventsJson(home, '--kind', 'exited,errored'),
        eventsJson(home, 'steady-1'),
        eventsJson(home, String(steadyId), '--kind', 'process'),
        eventsJson(home, '--since', '1h'),
        eventsJson(home, '--until', new Date(all[0]!.at - 60_000).toISOString()),
        eventsJson(home, '--since', new Date(Date.now() + 3_600_000).toISOString()),
        velosOk(['events', '--limit', '2', '--json'], { home }),
      ]);
      expect(exits.length).toBeGreaterThanOrEqual(2);
      expect(new Set(kindsOf(exits))).toEqual(new Set(['process.exited']));
      expect(new Set(kindsOf(several))).toEqual(new Set(['process.exited', 'process.errored']));
      expect(steady.length).toBeGreaterThan(0);
      expect(steady.every((event) => event.app === 'steady-1')).toBe(true);
      expect(byId).toEqual(steady);

      // a loaded daemon may add its own events (degraded, recovered) between the queries: each answer is
      // the log as it was then
      const latest = await eventsState(home, 'all', []);
      expect(sinceHour.slice(0, all.length)).toEqual(all);
      expect(sinceHour).toEqual(latest.slice(0, sinceHour.length));
      expect(untilBefore).toEqual([]);
      expect(sinceLater).toEqual([]);
      const newest = JSON.parse(limited.stdout) as EventRow[];
      expect(newest).toEqual(latest.filter((event) => event.seq <= newest.at(-1)!.seq).slice(-2));
      expect(newest.at(-1)!.seq).toBeGreaterThanOrEqual(all.at(-1)!.seq);

      const text = await velosOk(['events', 'crashy', '--kind', 'errored'], { home });
      expect(text.stdout).toMatch(
        new RegExp(
          `^(\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d {2}error {5}process\\.errored {5}crashy/${crashyId} {4}crashy \\(id ${crashyId}\\) errored`,
        ),
      );
      expect(text.stdout).not.toContain('\u001b[');
      const ai = await velosOk(['events', 'crashy', '--kind', 'errored', '--ai'], { home });
      expect(JSON.parse(ai.stdout)).toEqual([
        {
          t: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          k: 'process.errored',
          a: 'crashy',
          i: crashyId,
          m: expect.any(String),
          s: 'error',
          f: expect.any(Object),
        },
      ]);
      await deleteApps(home, ['crashy', 'steady-1']);
    });

    it('says on stderr that older events were left out with --ai and --json too, as in text', async () => {
      const home = shared();
      await velosOk(['events', 'emit', 'cut.first'], { home });
      await velosOk(['events', 'emit', 'cut.second'], { home });
      const notice = 'velos events: older events left out (showing the newest 1; see --limit, --since)\n';
      for (const mode of ['--ai', '--json']) {
        const result = await velosOk(['events', '--limit', '1', mode], { home });
        expect(result.stderr, mode).toBe(notice);
        expect(JSON.parse(result.stdout), mode).toHaveLength(1);
      }
    });

    it('follows new events until SIGTERM or SIGINT and exits cleanly', async () => {
      const home = shared();
      await velosOk(['start', 'fixtures/silent.js', '--name', 'steady-2'], { home });
      const { id } = await waitForStatus(home, 'steady-2', 'online');
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const follower = spawnVelos(['events', '--follow', '--json', '--kind', 'app,online'], { home });
        let out = '';
        follower.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
        });
        const exited = new Promise<number | null>((resolve) =>
          follower.once('exit', (code) => resolve(code)),
        );
        await waitFor(() => out.includes('"process.online"'), { message: 'the backlog' });
        const emitted = await velosOk(
          [
            'events',
            'emit',
            `deploy.${signal}`,
            '--app',
            'steady-2',
            '--message',
            'v2 out',
            'version=2',
            'ok=true',
            '--json',
          ],
          { home },
        );
        expect(JSON.parse(emitted.stdout)).toMatchObject({
          kind: `app.deploy.${signal}`,
          app: 'steady-2',
          id,
          message: 'v2 out',
          fields: { version: 2, ok: true },
        });
        const line = await waitFor(
          () => out.split('\n').find((text) => text.includes(`app.deploy.${signal}`)),
          { message: 'the emitted event in the follower' },
        );
        expect(JSON.parse(line)).toMatchObject({ app: 'steady-2', fields: { version: 2 } });
        follower.kill(signal);
        expect(await exited).toBe(0);
      }
      // text into a pipe (as on a terminal): one line per event, an app's control characters as \xHH
      const sneaky = 'two\nlines \u001b[31mred\u0007';
      const shown = 'two\\x0alines \\x1b[31mred\\x07';
      const emittedText = await velosOk(
        ['events', 'emit', 'ctl.chars', '--app', 'steady-2', '--message', sneaky, `note=${sneaky}`],
        { home },
      );
      // bounded like app events: their severity words, strings cut at 2000 characters
      const bounded = await velosOk(
        ['events', 'emit', 'big', '--severity', 'fatal', `long=${'a'.repeat(2100)}`, '--json'],
        { home },
      );
      expect(JSON.parse(bounded.stdout)).toMatchObject({
        severity: 'critical',
        fields: { long: `${'a'.repeat(1999)}…` },
      });
      const listedText = await velosOk(['events', '--kind', 'app.ctl.chars'], { home });
      for (const { stdout } of [emittedText, listedText]) {
        expect(stdout.trim().split('\n')).toHaveLength(1);
        expect(stdout).toContain(`${shown} note=${JSON.stringify(sneaky)}`);
      }
      const missing = await velos(['events', 'emit', 'x', '--app', 'nosuch'], { home });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("no app matches 'nosuch'");
      // a typo of an app's name is told what it likely meant, as every other command's target is
      const typo = await velos(['events', 'emit', 'x', '--app', 'stedy-2'], { home });
      expect(typo.code).toBe(1);
      expect(typo.stderr.trim()).toBe("velos: no app matches 'stedy-2' (did you mean 'steady-2'?)");
      await deleteApps(home, ['steady-2']);
    });

    it('turns the velos_event lines and IPC messages of Node apps into app events; malformed ones stay log lines', async () => {
      const home = shared();
      await velosOk(['start', 'fixtures/app-events.js', '--name', 'node-ev'], {
        home,
        env: { MALFORMED: '1' },
      });
      await velosOk(['start', 'fixtures/app-events.js', '--name', 'clus', '-i', '2'], { home });
      await waitFor(() => readLines(outLog(home, 'node-ev')).includes('app-events fixture ready'), {
        message: 'the fixture to finish writing',
      });
      // ids as this daemon gave them (on a fresh daemon: 0, then 1 and 2)
      const [nodeEv] = await rowsNamed(home, 'node-ev');
      const clusIds = (await rowsNamed(home, 'clus')).map((row) => row.id).sort((a, b) => a - b);
      expect(clusIds).toHaveLength(2);

      const own = await waitFor(async () => {
        const events = await eventsState(home, 'node-ev', ['app']);
        return events.length >= 2 ? events : undefined;
      });
      expect(own.map((event) => [event.kind, event.message])).toEqual([
        ['app.sync.done', 'synced 42 rows'],
        ['app.after.malformed', 'still working'],
      ]);
      expect(own[0]).toMatchObject({
        id: nodeEv!.id,
        severity: 'info',
        fields: { rows: 42, meta: '{"table":"users"}' },
      });
      // the event lines and the malformed ones are all kept in the log
      const log = readLines(outLog(home, 'node-ev'));
      expect(log.some((line) => line.includes('"velos_event":"sync.done"'))).toBe(true);
      expect(log).toContain('{"velos_event":"bad name!","message":"invalid name"}');
      expect(log).toContain('{"velos_event":"broken.json","message":');
      expect(log.some((line) => line.includes('"too.big"'))).toBe(true);

      // cluster workers: the stdout line and the process.send message, for each instance
      const clus = await waitFor(async () => {
        const events = await eventsState(home, 'clus', ['sync.done', 'sync.ipc']);
        return events.length >= 4 ? events : undefined;
      });
      const ipc = clus.filter((event) => event.kind === 'app.sync.ipc');
      expect(ipc.map((event) => event.id).sort((a, b) => a! - b!)).toEqual(clusIds);
      expect(ipc[0]).toMatchObject({ severity: 'warning', message: 'sent over ipc', fields: { rows: 7 } });
      await velosOk(['ping'], { home });
      await deleteApps(home, ['node-ev', 'clus']);
    });

    it.skipIf(!hasPython)(
      'turns the velos_event line of a Python app into an app event (needs python3)',
      async () => {
        const home = shared();
        await velosOk(['start', 'fixtures/app_events.py', '--name', 'py'], { home });
        const [{ id }] = (await rowsNamed(home, 'py')) as [ListRow];
        const events = await waitFor(async () => {
          const found = await eventsState(home, 'py', ['app']);
          return found.length > 0 ? found : undefined;
        });
        expect(events).toEqual([
          expect.objectContaining({
            kind: 'app.report.ready',
            severity: 'warning',
            app: 'py',
            id,
            message: 'python report ready',
            fields: { pages: 3, ok: true },
          }),
        ]);
        await deleteApps(home, ['py']);
      },
    );

    it("selects OBS-2's restarted, unhealthy and recovered by health state: a readiness dip, then a liveness failure", async () => {
      const home = shared();
      const port = await freePort();
      const config = join(home, 'probed.json');
      const url = `http://127.0.0.1:${port}`;
      // probes that start before a slow start listens fail by ECONNREFUSED and restart it, over and over
      const probe = { interval: '200ms', failure_threshold: 2, initial_delay: '2s' };
      const app = {
        name: 'web',
        script: join(FIXTURES, 'health-server.js'),
        env: { PORT: port },
        liveness_probe: { ...probe, http: `${url}/health` },
        readiness_probe: { ...probe, http: `${url}/ready`, failure_threshold: 1 },
      };
      writeFileSync(config, JSON.stringify({ apps: [app] }));
      await velosOk(['start', config], { home });
      const healthEvents = () => eventsJson(home, 'web', '--kind', 'process.health');
      const healthAfter = (seq: number, to: string) =>
        waitFor(
          async () =>
            (await eventsState(home, 'web', ['process.health'])).find(
              (event) => event.seq > seq && event.fields?.to === to,
            ),
          {
            message: `web ${to} after event ${seq}`,
            timeoutMs: 30_000,
          },
        );
      const healthy = await healthAfter(0, 'healthy');
      const set = async (query: string) => expect((await fetch(`${url}/set?${query}`)).status).toBe(200);
      await set('ready=fail');
      const degraded = await healthAfter(healthy.seq, 'degraded');
      await set('ready=ok');
      const back = await healthAfter(degraded.seq, 'healthy');
      await set('health=fail');
      await healthAfter(back.seq, 'unhealthy');
      await waitFor(async () => (await eventsState(home, 'web', ['restarted'])).length > 0 || undefined, {
        message: 'the restart of web',
      });

      const [health, recovered, unhealthy, restarted] = await Promise.all([
        healthEvents(),
        eventsJson(home, 'web', '--kind', 'recovered'),
        eventsJson(home, 'web', '--kind', 'unhealthy'),
        eventsJson(home, 'web', '--kind', 'restarted'),
      ]);
      // recovered: back to healthy from degraded or unhealthy, not a run's first healthy answer (from unknown)
      const isRecovery = (event: EventRow) =>
        event.fields?.to === 'healthy' && ['degraded', 'unhealthy'].includes(String(event.fields.from));
      expect(recovered).toEqual(health.filter(isRecovery));
      expect(recovered.map((event) => event.seq)).toContain(back.seq);
      expect(unhealthy).toEqual(health.filter((event) => event.fields?.to === 'unhealthy'));
      expect(unhealthy.length).toBeGreaterThan(0);
      expect(new Set(kindsOf(restarted))).toEqual(new Set(['process.restarting']));
      expect(restarted.some((event) => event.fields?.reason === 'unhealthy')).toBe(true);
      await deleteApps(home, ['web']);
    });

    it('drops app events over 100/s per process and reports the burst once', async () => {
      const home = shared();
      await velosOk(['start', 'fixtures/app-events.js', '--name', 'chatty'], { home, env: { FLOOD: '300' } });
      const report = await waitFor(
        async () => (await eventsState(home, 'chatty', ['app_events_dropped']))[0],
        {
          message: 'the drop report',
        },
      );
      const ticks = await eventsJson(home, 'chatty', '--kind', 'flood.tick');
      // sync.done, then 300 ticks: at least the first 100 events of the second are published
      expect(ticks.length).toBeGreaterThanOrEqual(99);
      expect(ticks.length).toBeLessThan(300);
      expect(report).toMatchObject({ severity: 'warning', app: 'chatty', fields: { limit_per_s: 100 } });
      expect((report.fields!.dropped as number) + ticks.length).toBe(300);
      expect(await eventsJson(home, 'chatty', '--kind', 'app_events_dropped')).toHaveLength(1);
      await deleteApps(home, ['chatty']);
    });

    it('tells job runs: job.started, then job.finished with outcome, duration and exit code', async () => {
      const home = shared();
      await velosOk(['start', 'sh -c "exit 3"', '--name', 'nightly', '--every', '300ms'], { home });
      const finished = await waitFor(async () => {
        const found = await eventsState(home, 'nightly', ['job']);
        return found.filter((event) => event.kind === 'job.finished').length >= 2 ? found : undefined;
      });
      expect(finished.slice(0, 4).map((event) => [event.kind, event.fields?.run])).toEqual([
        ['job.started', 1],
        ['job.finished', 1],
        ['job.started', 2],
        ['job.finished', 2],
      ]);
      expect(finished[1]).toMatchObject({
        severity: 'error',
        fields: { outcome: 'failed', exit_code: 3, trigger: 'start', duration_ms: expect.any(Number) },
      });
      // a job's runs are job events, not process exits and restarts
      expect(await eventsJson(home, 'nightly', '--kind', 'exited,restarting')).toEqual([]);
      await deleteApps(home, ['nightly']);
    });
  });
});
