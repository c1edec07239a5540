import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeCheck } from '@velos/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { computeHealth, initialProbeState, nextProbeState, type ProbeState } from '../src/probes/index.js';
import { runCheck } from '../src/probes/run-check.js';
import { isPidAlive } from '../src/proc-scan.js';
import { freePort } from './free-port.js';
import { FIXTURES, Harness, killTree, SeenProcesses, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const never = new AbortController().signal;

type HttpCheck = Extract<ProbeCheck, { kind: 'http' }>;

describe('probe state (thresholds)', () => {
  const thresholds = { failureThreshold: 3, successThreshold: 2 };
  const run = (results: (string | null)[], from: ProbeState = initialProbeState()): ProbeState =>
    results.reduce((state, reason) => nextProbeState(state, thresholds, reason), from);

  it('fails only after failureThreshold failures in a row', () => {
    expect(run(['a', 'b']).status).toBe('unknown');
    expect(run(['a', 'b']).failures).toBe(2);
    expect(run([null, 'a', 'b']).status).toBe('passing');
    expect(run([null, 'a', 'b', 'c'])).toMatchObject({ status: 'failing', failures: 3, lastReason: 'c' });
    expect(run(['a', 'b', null, 'c', 'd']).status).toBe('passing');
  });

  it('passes at the first success, and again only after successThreshold passes in a row', () => {
    expect(run([null]).status).toBe('passing');
    const failed = run(['a', 'b', 'c']);
    expect(failed.status).toBe('failing');
    expect(run([null], failed).status).toBe('failing');
    expect(run([null, 'x', null], failed).status).toBe('failing');
    expect(run([null, null], failed)).toMatchObject({ status: 'passing', failures: 0, successes: 2 });
  });

  it('maps probe states to health and readiness', () => {
    const passing = run([null]);
    const failing = run(['a', 'b', 'c']);
    const flaky = run([null, 'a']);
    const fresh = initialProbeState();
    expect(computeHealth(undefined, undefined)).toEqual({ state: 'healthy', ready: true });
    expect(computeHealth(fresh, undefined)).toEqual({ state: 'unknown', ready: false });
    expect(computeHealth(passing, passing)).toEqual({ state: 'healthy', ready: true });
    expect(computeHealth(passing, undefined)).toEqual({ state: 'healthy', ready: true });
    expect(computeHealth(flaky, passing)).toEqual({ state: 'degraded', ready: true });
    expect(computeHealth(passing, failing)).toEqual({ state: 'degraded', ready: false });
    expect(computeHealth(failing, passing)).toEqual({ state: 'unhealthy', ready: false });
    expect(computeHealth(passing, fresh)).toEqual({ state: 'unknown', ready: false });
    expect(computeHealth(undefined, failing)).toEqual({ state: 'degraded', ready: false });
  });

  it('keeps a starting process unknown while its probes fail below their threshold before their first pass', () => {
    // a program checked before it listens: each start of a healthy app was degraded, then healthy
    // from degraded (a warning and a `recovered` event per start)
    const starting = run(['connect ECONNREFUSED']);
    const passing = run([null]);
    expect(computeHealth(starting, undefined)).toEqual({ state: 'unknown', ready: false });
    expect(computeHealth(passing, starting)).toEqual({ state: 'unknown', ready: false });
    expect(computeHealth(starting, passing)).toEqual({ state: 'unknown', ready: true });
    // once a probe passed, a failure below its threshold is degradation again; at it, a failure
    expect(computeHealth(run([null, 'a']), undefined)).toEqual({ state: 'degraded', ready: true });
    expect(computeHealth(passing, run(['a', 'b', 'c']))).toEqual({ state: 'degraded', ready: false });
    expect(computeHealth(run(['a', 'b', 'c']), undefined)).toEqual({ state: 'unhealthy', ready: false });
  });
});

describe('http and tcp checks', () => {
  let server: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    server = spawn(process.execPath, [join(FIXTURES, 'health-server.js')], {
      env: { ...process.env, PORT: String(port), SLOW_MS: '5000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`health-server exited with ${code}`)));
    });
  });

  afterAll(() => {
    if (server.pid) killTree(server.pid);
  });

  const http = (path: string, extra: Partial<HttpCheck> = {}): ProbeCheck => ({
    kind: 'http',
    url: `http://127.0.0.1:${port}${path}`,
    statusMin: 200,
    statusMax: 299,
    headers: {},
    ...extra,
  });
  const context = { cwd: FIXTURES, env: {} };

  it('passes on a status in range and names the status otherwise', async () => {
    expect(await runCheck(http('/health'), 2000, context, never)).toBeNull();
    await fetch(`http://127.0.0.1:${port}/set?health=fail`);
    expect(await runCheck(http('/health'), 2000, context, never)).toBe('HTTP 503');
    expect(
      await runCheck(http('/health', { statusMin: 500, statusMax: 599 }), 2000, context, never),
    ).toBeNull();
    await fetch(`http://127.0.0.1:${port}/set?health=ok`);
  });

  it('does not follow a redirect and sends the configured headers', async () => {
    expect(await runCheck(http('/moved'), 2000, context, never)).toBe('HTTP 302');
    expect(await runCheck(http('/moved', { statusMax: 399 }), 2000, context, never)).toBeNull();
    expect(await runCheck(http('/auth'), 2000, context, never)).toBe('HTTP 401');
    const withToken = http('/auth', { headers: { authorization: 'Bearer probe-token' } });
    expect(await runCheck(withToken, 2000, context, never)).toBeNull();
  });

  it('fails a slow answer at the timeout and a refused connection with its reason', async () => {
    const started = Date.now();
    expect(await runCheck(http('/slow'), 300, context, never)).toBe('timeout after 300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
    const closed = await freePort();
    expect(
      await runCheck(http('/health', { url: `http://127.0.0.1:${closed}/` }), 2000, context, never),
    ).toBe(`connect ECONNREFUSED 127.0.0.1:${closed}`);
  });

  it('connects over tcp to a listening port and reports a closed one', async () => {
    expect(await runCheck({ kind: 'tcp', host: '127.0.0.1', port }, 2000, context, never)).toBeNull();
    const closed = await freePort();
    expect(await runCheck({ kind: 'tcp', host: '127.0.0.1', port: closed }, 2000, context, never)).toBe(
      `connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
  });
});

/** A probe command whose background child leaves its group and session, writes its pid to `bg`; it exits 0. */
const SETSID_CHILD = `setsid sh -c 'echo $$ > bg; exec sleep 201' & while [ ! -s bg ]; do sleep 0.01; done; exit 0`;
/** The setsid children the checks below left, by pid and start time: killed in their `finally` should one outlive its check. */
const setsidChildren = new SeenProcesses();

describe('exec checks', () => {
  const exec = (command: string): ProbeCheck => ({ kind: 'exec', command });

  it('passes on exit 0 and reports another exit code with the first stderr line', async () => {
    const home = harness.home();
    const context = { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PROBE_VALUE: 'yes' } };
    expect(await runCheck(exec('exit 0'), 2000, context, never)).toBeNull();
    writeFileSync(join(home, 'marker'), '');
    // runs in the app's cwd with the app's env
    expect(
      await runCheck(exec('test "$PROBE_VALUE" = yes && test -f marker'), 2000, context, never),
    ).toBeNull();
    expect(await runCheck(exec('exit 1'), 2000, context, never)).toBe('exit code 1');
    expect(await runCheck(exec('echo "disk full" >&2; exit 2'), 2000, context, never)).toBe(
      'exit code 2: disk full',
    );
    // the first line with something in it (the reason was a bare `exit code 3`)
    expect(await runCheck(exec('printf "\\n  \\nno db\\n" >&2; exit 3'), 2000, context, never)).toBe(
      'exit code 3: no db',
    );
  });

  it("names the app's working directory when it was removed (it read as a missing shell: spawn sh ENOENT)", async () => {
    const cwd = join(harness.home(), 'gone');
    const context = { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    expect(await runCheck(exec('exit 0'), 2000, context, never)).toBe(
      `cannot run the command: its working directory ${cwd} no longer exists (the app's cwd was removed)`,
    );
  });

  it('kills the whole process group of a command that outlives its timeout', async () => {
    const home = harness.home();
    const context = { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    // the shell and a background child write their pids, then wait
    const command = 'sleep 60 & echo "$$ $!" > pids; wait';
    const started = Date.now();
    expect(await runCheck(exec(command), 400, context, never)).toBe('timeout after 400 ms');
    expect(Date.now() - started).toBeLessThan(3000);
    const pids = readFileSync(join(home, 'pids'), 'utf8').trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    await waitFor(() => pids.every((pid) => !isPidAlive(pid)), {
      what: 'the timed-out command to be killed',
    });
  });

  it('is cancelled, its command killed, when the probe stops', async () => {
    const home = harness.home();
    const context = { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    const stop = new AbortController();
    const pending = runCheck(exec('echo $$ > pid; exec sleep 60'), 30_000, context, stop.signal);
    const pid = await waitFor(() => Number(readFileSync(join(home, 'pid'), 'utf8').trim()), {
      what: 'the command to start',
    });
    stop.abort();
    expect(await pending).toBe('aborted');
    await waitFor(() => !isPidAlive(pid), { what: 'the cancelled command to be killed' });
  });

  it('kills what the command left outside its group with setsid, when it exits (velos leaked one per check)', async () => {
    const home = harness.home();
    const context = { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    let pid = 0;
    try {
      expect(await runCheck(exec(SETSID_CHILD), 5000, context, never)).toBeNull();
      pid = Number(readFileSync(join(home, 'bg'), 'utf8').trim());
      setsidChildren.add(pid);
      expect(pid).toBeGreaterThan(0);
      await waitFor(() => !isPidAlive(pid), { what: 'the setsid child of the probe command to be killed' });
    } finally {
      setsidChildren.killAll();
    }
  });

  it('kills a setsid child whose environment could not be read when the command exited (caught in an exec)', async () => {
    const home = harness.home();
    const context = { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    // the child runs with an empty environment (as a process in the middle of an execve reads) for 0.2 s,
    // then execs with the run's marker: the scan at the command's exit cannot tell it yet
    const command = `setsid env -i sh -c 'echo $$ > bg; sleep 0.2; export VELOS_PROBE="$0"; exec sleep 203' "$VELOS_PROBE" & while [ ! -s bg ]; do sleep 0.01; done; exit 0`;
    let pid = 0;
    try {
      expect(await runCheck(exec(command), 5000, context, never)).toBeNull();
      pid = Number(readFileSync(join(home, 'bg'), 'utf8').trim());
      setsidChildren.add(pid);
      expect(pid).toBeGreaterThan(0);
      await waitFor(() => !isPidAlive(pid), { what: 'the setsid child of the probe command to be killed' });
    } finally {
      setsidChildren.killAll();
    }
  });

  it('leaves alone a process of the same environment that the command did not start', async () => {
    const home = harness.home();
    const context = { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    // started before the check, outside it, with the app's environment (as an app's own setsid child is)
    const bystander = spawn('sleep', ['202'], { env: context.env, detached: true, stdio: 'ignore' });
    let pid = 0;
    try {
      expect(await runCheck(exec(SETSID_CHILD), 5000, context, never)).toBeNull();
      pid = Number(readFileSync(join(home, 'bg'), 'utf8').trim());
      setsidChildren.add(pid);
      // positive control: the command's own child is killed, the bystander is not
      await waitFor(() => !isPidAlive(pid), { what: 'the setsid child of the probe command to be killed' });
      expect(isPidAlive(bystander.pid!)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      setsidChildren.killAll();
    }
  });
});
