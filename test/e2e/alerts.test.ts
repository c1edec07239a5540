import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_ALERT_SOURCE } from '@velos/core';
import { parseAlertRules } from '@velos/core/config';
import { freePort, hasOpenssl, makeSelfSigned } from '@velos/test-helpers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertReceiver, type ReceivedAlert, startReceiver } from './alert-receiver.js';
import {
  cleanupHomes,
  clearAlerts,
  clearApps,
  createHome,
  deleteApps,
  ensureDaemon,
  FIXTURES,
  killDaemon,
  listState,
  readLines,
  readPidFile,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  withClient,
} from './helpers.js';

const receivers: AlertReceiver[] = [];
afterEach(async () => {
  await cleanupHomes();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(
  reply?: Parameters<typeof startReceiver>[0],
  tls?: Parameters<typeof startReceiver>[1],
): Promise<AlertReceiver> {
  const started = await startReceiver(reply, tls);
  receivers.push(started);
  return started;
}

/** One row of `velos alerts --json` (the fields these tests read). */
interface AlertRow {
  rule: { name: string; source: string; severity: string };
  phase: string;
  instances: { key: string; phase: string; repeats: number; escalationLevel: number }[];
  lastDelivery: { isOk: boolean; attempts: number; error?: string; channel: string } | null;
}

async function alertsJson(home: string): Promise<AlertRow[]> {
  return JSON.parse((await velosOk(['alerts', '--json'], { home })).stdout) as AlertRow[];
}

/** The rules and their state over the daemon's socket, as `alertsJson` parses them (secrets unmasked). */
async function alertsState(home: string): Promise<AlertRow[]> {
  return JSON.parse(JSON.stringify(await withClient(home, (client) => client.alerts()))) as AlertRow[];
}

/** Adds runtime rules (written as in a file's `[[alerts]]`) over the daemon's socket, as `velos alerts add --file` does. */
async function addRules(home: string, raw: unknown[]): Promise<void> {
  const rules = parseAlertRules(raw, 'test', RUNTIME_ALERT_SOURCE);
  await withClient(home, async (client) => {
    for (const rule of rules) await client.addAlert(rule);
  });
}

/** What the command channel fixture recorded: one entry per notification. */
function recorded(path: string): { stdin: Record<string, unknown>; env: Record<string, string> }[] {
  return readLines(path).map((line) => JSON.parse(line));
}

function events(
  home: string,
  kind: string,
): { kind: string; app?: string; fields?: Record<string, unknown> }[] {
  return readLines(join(home, 'events.jsonl'))
    .map((line) => JSON.parse(line))
    .filter((event) => event.kind === kind);
}

const on = (received: ReceivedAlert[], path: string, status: string) =>
  received.filter((r) => r.path === path && r.body.status === status);

describe('alerts (OBS-3)', () => {
  it('retries a failing webhook with backoff, reports a timeout, and records delivery health', async () => {
    const home = createHome();
    const hook = await receiver((path, n) => (path === '/slow' ? 'hang' : n === 1 ? 500 : 200));
    await velosOk(['alerts', 'add', 'flaky', '--when', 'errored', '--webhook', `${hook.url}/flaky`], {
      home,
    });
    const test = await velosOk(['alerts', 'test', 'flaky', '--json'], { home });
    const [delivery] = JSON.parse(test.stdout) as { isOk: boolean; attempts: number }[];
    expect(delivery).toMatchObject({ isOk: true, attempts: 2 });
    const tries = hook.received.filter((r) => r.path === '/flaky');
    expect(tries.map((r) => r.body.status)).toEqual(['test', 'test']);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(900);

    const snippet = join(home, 'slow.json');
    writeFileSync(
      snippet,
      JSON.stringify({
        alerts: [
          {
            name: 'slow',
            when: 'unhealthy for 10s',
            webhook: { url: `${hook.url}/slow`, timeout: '200ms', retries: 1, backoff: '50ms' },
          },
        ],
      }),
    );
    await velosOk(['alerts', 'add', '--file', snippet], { home });
    const slow = await velos(['alerts', 'test', 'slow'], { home });
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(
      /FAILED webhook http:\/\/127\.0\.0\.1:\d+\/… \(2 attempt\(s\)\): timed out after 200 ms/,
    );
    const row = (await alertsState(home)).find((a) => a.rule.name === 'slow')!;
    expect(row.lastDelivery).toMatchObject({ isOk: false, attempts: 2 });

    // run-time rules outlive the daemon (the CLI starts the next one)
    await killDaemon(home);
    expect((await alertsJson(home)).map((a) => a.rule.name)).toEqual(['flaky', 'slow']);
    await withClient(home, (client) => client.removeAlert('slow'));
    expect((await alertsState(home)).map((a) => a.rule.name)).toEqual(['flaky']);
  });

  it.runIf(hasOpenssl())(
    'delivers to an HTTPS webhook whose authority NODE_EXTRA_CA_CERTS adds, which Node < 24 no longer parses at the daemon start',
    async () => {
      const home = createHome();
      const { certPath, keyPath } = makeSelfSigned(home);
      const hook = await receiver(undefined, { cert: readFileSync(certPath), key: readFileSync(keyPath) });
      const seen = join(home, 'command-ca.txt');
      const snippet = join(home, 'secure.json');
      writeFileSync(
        snippet,
        JSON.stringify({
          alerts: [
            {
              name: 'secure',
              when: 'errored',
              webhook: { url: `${hook.url}/secure`, retries: 0 },
              command: [
                process.execPath,
                '-e',
                `require('fs').writeFileSync(${JSON.stringify(seen)}, String(process.env.NODE_EXTRA_CA_CERTS))`,
              ],
            },
          ],
        }),
      );
      const env = { NODE_EXTRA_CA_CERTS: certPath };
      await velosOk(['alerts', 'add', '--file', snippet], { home, env });
      // what `velos alerts test secure --json` prints, over the socket
      const deliveries = await withClient(home, (client) => client.testAlert('secure'));
      expect(deliveries.map((d) => [d.channel.split(' ')[0], d.isOk, d.error])).toEqual([
        ['webhook', true, undefined],
        ['command', true, undefined],
      ]);
      expect(hook.received.map((r) => r.path)).toEqual(['/secure']);
      // the programs the daemon runs get the variable as the user set it
      expect(readFileSync(seen, 'utf8')).toBe(certPath);
      const environ = readFileSync(`/proc/${readPidFile(home)}/environ`, 'utf8').split('\0');
      const isParsedAtStart = Number(process.versions.node.split('.')[0]) < 24;
      expect(environ.includes(`NODE_EXTRA_CA_CERTS=${certPath}`)).toBe(!isParsedAtStart);
    },
  );

  // Tests with their own channels (a webhook path, a command's output file) share one home and daemon
  // (a daemon each cost ~0.4 s of CPU); each starts with no app and no rule (`clearApps`, `clearAlerts`),
  // so one that reads every rule or the daemon's health sees only its own, and deletes its apps. The one
  // that kills the daemon and the one that sets the daemon's environment have their own.
  describe('on one daemon', () => {
    const shared = sharedHome();
    beforeEach(async () => {
      await ensureDaemon(shared());
      await clearApps(shared());
      await clearAlerts(shared());
    });

    it('a restart storm fires, repeats, escalates and resolves, to a webhook and a command', async () => {
      const home = shared();
      const hook = await receiver();
      const out = join(home, 'command-alerts.jsonl');
      // a crash every ~0.4 s against a 5 s window: the storm lasts through a loaded machine's slow starts
      // (a 2 s window could let it resolve and fire anew before the escalation)
      const file = join(home, 'app.toml');
      writeFileSync(
        file,
        `[[apps]]
name = "crashy"
script = "${join(FIXTURES, 'crash-after.js')}"
args = ["300"]
restart_delay = "50ms"
max_restarts = 1000

[[alerts]]
name = "storm"
app = "crashy"
when = "restarts >= 2 within 5s"
repeat = "1s"
webhook = { url = "${hook.url}/hook", timeout = "2s", retries = 0 }
command = ["node", "${join(FIXTURES, 'alert-recorder.js')}", "${out}", "--literal=$(touch ${home}/pwned)"]

[alerts.escalate]
after_repeats = 2
severity = "critical"
webhook = "${hook.url}/escalate"
`,
      );
      await velosOk(['start', file], { home });

      const firing = await waitFor(() => on(hook.received, '/hook', 'firing')[0], {
        message: 'the first firing',
      });
      expect(firing.body).toMatchObject({
        rule: 'storm',
        severity: 'warning',
        app: 'crashy',
        repeat: 0,
        escalated: false,
      });
      expect(String(firing.body.text)).toMatch(
        /^\[FIRING\] storm \(warning\) crashy: crashy restarted \d+ times within 5s/,
      );
      await waitFor(() => on(hook.received, '/hook', 'firing').find((r) => Number(r.body.repeat) >= 1), {
        message: 'a repeat',
      });
      const escalated = await waitFor(() => on(hook.received, '/escalate', 'firing')[0], {
        message: 'the escalation',
      });
      // after 2 repeats it goes out in place of the 3rd: never the 2nd repeat and the escalation at once
      expect(escalated.body).toMatchObject({ severity: 'critical', escalated: true, repeat: 3 });
      // of this firing (a loaded machine may let the storm end and start again: a new firing, from 0)
      const repeats = on(hook.received, '/hook', 'firing')
        .filter((r) => r.body.since === escalated.body.since)
        .map((r) => r.body.repeat);
      expect(new Set(repeats).size).toBe(repeats.length);

      const [row] = await alertsJson(home);
      expect(row).toMatchObject({ phase: 'firing', rule: { name: 'storm', source: file } });
      expect(row!.instances[0]).toMatchObject({ key: 'crashy', escalationLevel: 1 });
      const table = (await velosOk(['alerts'], { home })).stdout;
      expect(table).toMatch(
        /storm\s+restarts >= 2 within 5s\s+crashy\s+warning\s+firing \(crashy, escalated\)/,
      );

      await withClient(home, (client) => client.stop('crashy'));
      const resolved = await waitFor(() => on(hook.received, '/hook', 'resolved')[0], {
        message: 'resolved',
      });
      // resolved after the escalation: it carries the escalation's severity, to both channels
      expect(resolved.body).toMatchObject({
        rule: 'storm',
        app: 'crashy',
        status: 'resolved',
        severity: 'critical',
      });
      const resolvedEscalation = await waitFor(() => on(hook.received, '/escalate', 'resolved')[0], {
        message: 'resolved to the escalation',
      });
      expect(resolvedEscalation.body).toMatchObject({ severity: 'critical', escalated: true });
      const hookStatuses = hook.received.filter((r) => r.path === '/hook').map((r) => r.body.status);
      expect(hookStatuses[0]).toBe('firing');
      expect(hookStatuses.at(-1)).toBe('resolved');
      expect((await alertsState(home))[0]!.phase).toBe('resolved');

      const entries = await waitFor(() => {
        const list = recorded(out);
        return list.some((e) => e.stdin.status === 'resolved') ? list : undefined;
      });
      expect(entries[0]!.stdin).toMatchObject({ status: 'firing', rule: 'storm' });
      expect(entries[0]!.env).toMatchObject({
        VELOS_ALERT_STATUS: 'firing',
        VELOS_ALERT_RULE: 'storm',
        VELOS_ALERT_APP: 'crashy',
      });
      expect(entries[0]!.env.VELOS_ALERT_TEXT).toContain('[FIRING] storm');
      // the arguments are the rule's own, passed as they are: no shell ever sees them
      expect(existsSync(join(home, 'pwned'))).toBe(false);

      // the event log is the shared daemon's: the events of this rule
      const ofStorm = (kind: string) => events(home, kind).filter((e) => e.fields?.rule === 'storm');
      expect(ofStorm('alert.firing').length).toBeGreaterThanOrEqual(3);
      expect(ofStorm('alert.resolved')[0]).toMatchObject({ app: 'crashy', fields: { rule: 'storm' } });

      // the same file started again with its rules edited: the file's rules are replaced
      writeFileSync(file, readFileSync(file, 'utf8').replace('name = "storm"', 'name = "storm2"'));
      await velosOk(['start', file], { home });
      expect((await alertsState(home)).map((a) => a.rule.name)).toEqual(['storm2']);
      expect(statSync(join(home, 'alerts.json')).mode & 0o777).toBe(0o600);
      await deleteApps(home, ['crashy']);
    });

    it('counts delivery health per full webhook URL, and removing a failing rule makes velos health healthy again', async () => {
      const home = shared();
      const hook = await receiver((path) => (path === '/fail' ? 500 : 200));
      // set up over the socket (`velos alerts add` has tests of its own)
      await addRules(home, [
        { name: 'r1', when: 'errored', webhook: `${hook.url}/hook` },
        { name: 'failing', when: 'errored', webhook: { url: `${hook.url}/fail`, retries: 0 } },
      ]);
      expect((await velos(['alerts', 'test', 'failing'], { home })).code).toBe(1);
      // the 2nd and 3rd failures in a row over the socket (the CLI's exit 1 for one is checked above)
      for (let i = 0; i < 2; i += 1) {
        const deliveries = await withClient(home, (client) => client.testAlert('failing'));
        expect(deliveries.map((d) => d.isOk)).toEqual([false]);
      }
      const alertsHealth = async () => {
        const result = await velos(['health', '--json'], { home });
        const health = JSON.parse(result.stdout) as {
          components: { name: string; status: string; reason?: string }[];
        };
        return { code: result.code, alerts: health.components.find((c) => c.name === 'alerts')! };
      };
      // degraded, exit 0: a receiver that is down must not fail a container's health check
      const sick = await alertsHealth();
      expect(sick.code).toBe(0);
      expect(sick.alerts).toMatchObject({ status: 'degraded' });
      // the reason names the channel by its short label, never by its full URL
      expect(sick.alerts.reason).toMatch(
        /^webhook http:\/\/127\.0\.0\.1:\d+\/…: 3 failed deliveries in a row \(HTTP 500\)$/,
      );
      // another webhook of the same host working says nothing of /fail
      expect((await withClient(home, (client) => client.testAlert('r1'))).map((d) => d.isOk)).toEqual([true]);
      const stillSick = await withClient(home, (client) => client.health());
      expect(stillSick.components.find((c) => c.name === 'alerts')?.reason).toMatch(
        /3 failed deliveries in a row/,
      );
      await withClient(home, (client) => client.removeAlert('failing'));
      const well = await alertsHealth();
      expect(well.alerts).toMatchObject({ name: 'alerts', status: 'healthy' });
      expect(well.code).not.toBe(2);
    });

    it('bad rules give a clear error and change nothing', async () => {
      const home = shared();
      await addRules(home, [{ name: 'keep', when: 'daemon degraded' }]);
      // refused commands change nothing: run at once
      const [flags, dup, severity] = await Promise.all([
        velos(['alerts', 'add', 'x', '--when', 'cpu > lots'], { home }),
        velos(['alerts', 'add', 'keep', '--when', 'errored'], { home }),
        velos(['alerts', 'add', 'y', '--when', 'errored', '--severity', 'loud'], { home }),
      ]);
      expect(flags.code).not.toBe(0);
      expect(flags.stderr).toContain('alerts add: --when: expected one of');
      expect(dup.stderr).toContain("an alert rule called 'keep' exists already");
      expect(severity.stderr).toMatch(/--severity: .*"warning"/);

      const file = join(home, 'bad.toml');
      writeFileSync(
        file,
        `[[apps]]
name = "tick"
script = "${join(FIXTURES, 'ticker.js')}"

[[alerts]]
name = "ok"
when = "errored"

[[alerts]]
name = "broken"
when = "memory > 300M"
webhook = { url = "http://127.0.0.1:9/x", timout = "1s" }
`,
      );
      const bad = await velos(['start', file], { home });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('bad.toml: alerts[1].webhook: unknown option "timout"');
      expect(await listState(home)).toEqual([]);
      expect((await alertsState(home)).map((a) => a.rule.name)).toEqual(['keep']);

      // a rule named like one of another source: refused before any app of the file starts
      const clash = join(home, 'clash.toml');
      writeFileSync(
        clash,
        `[[apps]]\nname = "tick"\nscript = "${join(FIXTURES, 'ticker.js')}"\n\n[[alerts]]\nname = "keep"\nwhen = "errored"\n`,
      );
      const clashed = await velos(['start', clash], { home });
      expect(clashed.code).toBe(1);
      expect(clashed.stderr).toContain(
        `${clash}: alert rule 'keep' exists already (from runtime); rename one of them`,
      );
      expect(await listState(home)).toEqual([]);
      expect((await alertsState(home)).map((a) => [a.rule.name, a.rule.source])).toEqual([
        ['keep', 'runtime'],
      ]);

      // the same clash in a reload of a file whose apps run: the file is refused before any app changes
      const linked = join(home, 'linked.toml');
      const tick = `[[apps]]\nname = "tick"\nscript = "${join(FIXTURES, 'ticker.js')}"\n`;
      writeFileSync(linked, tick);
      await velosOk(['start', linked], { home });
      // a start refused (its app runs already) leaves the rules as they were: the file's new rule is not kept
      writeFileSync(linked, `${tick}\n[[alerts]]\nname = "mine"\nwhen = "errored"\n`);
      const again = await velos(['start', linked], { home });
      expect([again.code, again.stderr]).toEqual([
        1,
        expect.stringContaining("'tick' of linked.toml runs already"),
      ]);
      expect((await alertsState(home)).map((a) => a.rule.name)).toEqual(['keep']);
      writeFileSync(
        linked,
        `${tick}\n[[apps]]\nname = "tock"\nscript = "${join(FIXTURES, 'ticker.js')}"\n\n[[alerts]]\nname = "keep"\nwhen = "errored"\n`,
      );
      const reload = await velos(['config', 'reload', linked], { home });
      expect(reload.code).toBe(1);
      expect(reload.stderr).toContain(
        `${linked}: alert rule 'keep' exists already (from runtime); rename one of them`,
      );
      expect((await listState(home)).map((row) => row.name)).toEqual(['tick']);
      expect((await alertsState(home)).map((a) => [a.rule.name, a.rule.source])).toEqual([
        ['keep', 'runtime'],
      ]);
      await withClient(home, (client) => client.delete('tick'));
      // and in a reload of the daemon's config.toml: refused whole, its [defaults] not applied either
      writeFileSync(
        join(home, 'config.toml'),
        '[defaults]\nmax_restarts = 3\n\n[[alerts]]\nname = "keep"\nwhen = "errored"\n',
      );
      const daemonReload = await velos(['config', 'reload'], { home });
      expect([daemonReload.code, daemonReload.stdout.trim()]).toEqual([
        1,
        `${join(home, 'config.toml')}: rejected, nothing changed`,
      ]);
      expect(daemonReload.stderr).toContain("alert rule 'keep' exists already (from runtime)");
      rmSync(join(home, 'config.toml'));

      // kinds no event has, and counts past what the daemon holds: usage errors of the CLI (exit 2)
      const refusals = [
        [['event process.restarted'], 'alerts add: --when: unknown event kind "process.restarted"'],
        [['event exited,bogus'], 'alerts add: --when: unknown event kind "bogus"'],
        [
          ['restarts >= 99999999999999999999 within 1m'],
          'alerts add: --when: restarts >= N: expected N from 1',
        ],
      ] as const;
      const [missing, ...refused] = await Promise.all([
        velos(['alerts', 'test', 'nope'], { home }),
        ...refusals.map(([[when]]) => velos(['alerts', 'add', 'typo', '--when', when], { home })),
      ]);
      for (const [i, [, message]] of refusals.entries()) {
        expect(refused[i]!.code).toBe(2);
        expect(refused[i]!.stderr).toContain(message);
      }

      expect(missing.stderr).toContain("no alert rule is called 'nope' (rules: keep)");
    });

    it('masks webhook URLs and secret headers in --json unless --show-secrets', async () => {
      const home = shared();
      const file = join(home, 'hooked.toml');
      writeFileSync(
        file,
        `[[alerts]]
name = "hooked"
when = "errored"
webhook = { url = "https://hooks.example.com/services/s3cretpath", headers = { authorization = "Bearer s3cret", x-team = "ops" } }
`,
      );
      const added = await velosOk(['alerts', 'add', '--file', file, '--json'], { home });
      expect(added.stdout).not.toContain('s3cret');
      const listed = await velosOk(['alerts', '--json'], { home });
      expect(listed.stdout).not.toContain('s3cret');
      expect(JSON.parse(listed.stdout)[0].rule.channels[0]).toMatchObject({
        url: 'https://hooks.example.com/****',
        headers: { authorization: '****', 'x-team': 'ops' },
      });
      const shown = await velosOk(['alerts', '--json', '--show-secrets'], { home });
      expect(JSON.parse(shown.stdout)[0].rule.channels[0]).toMatchObject({
        url: 'https://hooks.example.com/services/s3cretpath',
        headers: { authorization: 'Bearer s3cret' },
      });
      expect((await velosOk(['alerts', 'remove', 'hooked', '--json'], { home })).stdout).not.toContain(
        's3cret',
      );
    });

    it('a job that fails twice in a row fires; a successful run resolves it', async () => {
      const home = shared();
      const out = join(home, 'job-alerts.jsonl');
      const file = join(home, 'job.toml');
      writeFileSync(
        file,
        `[[apps]]
  name = "sync"
  script = "${join(FIXTURES, 'job-counter.js')}"
  type = "job"
  interval = "300ms"
  env = { COUNTER_FILE = "${join(home, 'count')}", EXIT_CODES = "1,1,0" }

  [[alerts]]
  name = "sync-failing"
  app = "sync"
  when = "job failed 2 times in a row"
  severity = "error"
  command = ["node", "${join(FIXTURES, 'alert-recorder.js')}", "${out}"]
  `,
      );
      await velosOk(['start', file], { home });
      const entries = await waitFor(
        () => {
          const list = recorded(out);
          return list.some((e) => e.stdin.status === 'resolved') ? list : undefined;
        },
        { message: 'firing then resolved' },
      );
      expect(entries[0]!.stdin).toMatchObject({ status: 'firing', severity: 'error', app: 'sync' });
      expect(String(entries[0]!.stdin.message)).toContain('failed 2 time(s) in a row');
      expect(entries.find((e) => e.stdin.status === 'resolved')!.stdin).toMatchObject({
        rule: 'sync-failing',
      });
      const finished = events(home, 'job.finished').filter((e) => e.app === 'sync');
      expect(finished.slice(0, 3).map((e) => e.fields?.outcome)).toEqual(['failed', 'failed', 'ok']);
      await deleteApps(home, ['sync']);
    });

    it('a memory rule fires on a leaking app and resolves when it stops', async () => {
      const home = shared();
      const hook = await receiver();
      await addRules(home, [
        { name: 'leak', when: 'memory > 80M', app: 'leaky', webhook: `${hook.url}/mem` },
      ]);
      await velosOk(['start', join(FIXTURES, 'leaky.js'), '--name', 'leaky'], {
        home,
        // it stops growing well above the rule's 80M: touching a gigabyte more by the time a sample sees it costs CPU for nothing
        env: { LEAK_MB: '20', LEAK_EVERY_MS: '100', LEAK_MAX_MB: '120' },
      });
      const firing = await waitFor(() => on(hook.received, '/mem', 'firing')[0], {
        message: 'memory firing',
      });
      expect(String(firing.body.message)).toMatch(/leaky \(id \d+\) uses \d+M of memory \(above 80M\)/);
      await withClient(home, (client) => client.stop('leaky'));
      await waitFor(() => on(hook.received, '/mem', 'resolved')[0], { message: 'memory resolved' });
      await deleteApps(home, ['leaky']);
    });

    it('an unhealthy rule holds through the liveness restarts it causes, fires after its for, and resolves once the probes pass', async () => {
      const home = shared();
      const hook = await receiver();
      const port = await freePort();
      const config = join(home, 'probed.toml');
      writeFileSync(
        config,
        [
          '[[apps]]',
          'name = "probed"',
          `script = "${join(FIXTURES, 'health-server.js')}"`,
          `env = { PORT = "${port}", HEALTH_FAIL = "1" }`,
          '[apps.liveness_probe]',
          `http = "http://127.0.0.1:${port}/health"`,
          'interval = "300ms"',
          'failure_threshold = 2',
          // probes that start before a slow start listens fail by ECONNREFUSED, even once health is ok
          'initial_delay = "2s"',
          '',
        ].join('\n'),
      );
      const hookUrl = `${hook.url}/unhealthy`;
      await addRules(home, [{ name: 'sick', when: 'unhealthy for 3s', app: 'probed', webhook: hookUrl }]);
      await velosOk(['start', config], { home });
      // every run fails its probe and is restarted for it: unhealthy, then unknown and starting again
      const firing = await waitFor(() => on(hook.received, '/unhealthy', 'firing')[0], {
        message: 'unhealthy firing',
        timeoutMs: 30_000,
      });
      expect(String(firing.body.message)).toMatch(/^probed \(id \d+\) is unhealthy/);
      expect(
        events(home, 'process.exited').some((e) => e.app === 'probed' && e.fields?.reason === 'unhealthy'),
      ).toBe(true);
      expect(on(hook.received, '/unhealthy', 'resolved')).toEqual([]);
      // the probes pass again: the next run starts healthy
      await withClient(home, (client) => client.configSet('probed', { 'env.HEALTH_FAIL': '0' }));
      await waitFor(() => on(hook.received, '/unhealthy', 'resolved')[0], {
        message: 'unhealthy resolved',
        timeoutMs: 30_000,
      });
      // resolved by a passing probe (the restart's unknown health holds it)
      await waitFor(
        () => events(home, 'process.health').some((e) => e.app === 'probed' && e.fields?.to === 'healthy'),
        { message: 'a healthy verdict of probed' },
      );
      await deleteApps(home, ['probed']);
    });

    it('the sboxmgr-update example: a job every 30 minutes whose second failure in a row alerts', async () => {
      const home = shared();
      const hook = await receiver();
      const out = join(home, 'escalation.jsonl');
      const example = readFileSync(join(FIXTURES, 'examples/sboxmgr-update.toml'), 'utf8');
      expect(example).toMatch(/interval = "30m"\ntimeout = "5m"/);
      // the example as written, with its times shortened and its channels pointed at this test
      const file = join(home, 'sboxmgr-update.toml');
      writeFileSync(
        file,
        example
          .replace('script = "fake-sboxmgr.sh"', `script = "${join(FIXTURES, 'examples/fake-sboxmgr.sh')}"`)
          .replace('interval = "30m"', 'interval = "200ms"')
          .replace('SBOXMGR_EXIT = "0"', 'SBOXMGR_EXIT = "1", SBOXMGR_WORK_MS = "10"')
          .replace('after = "6h"', 'after = "300ms"')
          .replace(/webhook = "https:\/\/hooks\.slack\.com[^"]*"/, `webhook = "${hook.url}/slack"`)
          .replace(
            /command = \[[^\]]*\]/,
            `command = ["node", "${join(FIXTURES, 'alert-recorder.js')}", "${out}"]`,
          ),
      );
      await velosOk(['start', file], { home });
      const firing = await waitFor(() => on(hook.received, '/slack', 'firing')[0], { message: 'the alert' });
      expect(firing.body).toMatchObject({
        rule: 'sboxmgr-update-failing',
        severity: 'error',
        app: 'sboxmgr-update',
      });
      expect(String(firing.body.text)).toContain('[FIRING] sboxmgr-update-failing (error) sboxmgr-update:');
      const escalated = await waitFor(() => recorded(out)[0], { message: 'the escalation command' });
      expect(escalated.stdin).toMatchObject({ severity: 'critical', escalated: true });
      await deleteApps(home, ['sboxmgr-update']);
    });
  });
});
