import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  busEvents,
  cleanupHomes,
  deleteApps,
  FIXTURES,
  isAlive,
  outLog,
  readLines,
  rowsNamed,
  sharedHome,
  spawnVelos,
  velos,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

const WAIT_READY = join(FIXTURES, 'wait-ready.js');
const SHUTDOWN = join(FIXTURES, 'shutdown-message.js');
const SIGINT_ONLY = join(FIXTURES, 'sigint-only.js');

/** `velos jlist`: PM2's process descriptions (the fields these tests read). */
async function jlistOf(home: string): Promise<{ name: string; pid: number; pm2_env: { status: string } }[]> {
  const result = await velos(['jlist'], { home });
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

/** The daemon's log of a home. */
function daemonLog(home: string): string {
  return readLines(join(home, 'daemon.log')).join('\n');
}

// Issue #14: PM2's graceful start and stop of fork-mode Node apps, over an IPC channel.
describe('PM2 wait_ready and shutdown_with_message in fork mode', () => {
  // one daemon for the tests: each runs apps of its own names and deletes them at its end (the daemon
  // log checks read lines of their own app's message)
  const shared = sharedHome();

  it("--wait-ready: launching until process.send('ready'), and start answers once it is online", async () => {
    const home = shared();
    const starting = spawnVelos(
      ['start', WAIT_READY, '--name', 'gs', '--wait-ready', '--listen-timeout', '60000'],
      { home, env: { READY_DELAY_MS: '4000' } },
    );
    const exited = new Promise<number | null>((resolve) => starting.once('exit', resolve));
    // while the app has not said 'ready', it is `starting` with a pid (polled over the socket, no CLI
    // process each time), and `velos jlist` shows it `launching` (PM2's word for `starting`)
    await waitFor(async () => {
      const [app] = await rowsNamed(home, 'gs');
      return app?.status === 'starting' && app.pid;
    });
    const launching = (await jlistOf(home)).find((entry) => entry.name === 'gs');
    expect(launching?.pm2_env.status).toBe('launching');
    expect(launching!.pid).toBeGreaterThan(0);
    expect(isAlive(launching!.pid)).toBe(true);
    expect(await exited).toBe(0);
    // the start answered after the 'ready', so the app is online at once
    const [row] = (await jlistOf(home)).filter((entry) => entry.name === 'gs');
    expect(row!.pm2_env.status).toBe('online');
    await waitFor(() => readLines(outLog(home, 'gs')).some((line) => line.includes('ready sent')));
    expect(readLines(outLog(home, 'gs'))[0]).toContain('channel yes');
    // a restart answers once the new run said 'ready' too
    const restarted = await velos(['restart', 'gs'], { home });
    expect(restarted.code, restarted.stderr).toBe(0);
    const [again] = (await jlistOf(home)).filter((entry) => entry.name === 'gs');
    expect(again!.pm2_env.status).toBe('online');
    expect(again!.pid).not.toBe(row!.pid);
    await deleteApps(home, ['gs']);
  });

  it('listen_timeout: an app that never sends ready is online after it (ecosystem file)', async () => {
    const home = shared();
    const file = join(home, 'late.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'late', script: ${JSON.stringify(WAIT_READY)}, wait_ready: true, listen_timeout: 800, env: { NEVER_READY: '1' } }] };\n`,
    );
    const result = await velos(['start', file], { home });
    expect(result.code, result.stderr).toBe(0);
    await waitForStatus(home, 'late', 'online');
    expect(daemonLog(home)).toMatch(/sent no 'ready' within listen_timeout 800 ms: online anyway/);
    await deleteApps(home, ['late']);
  });

  it('a PM2 file stops its apps with SIGINT, as PM2 does, unless it sets kill_signal; a Velos file with SIGTERM', async () => {
    const home = shared();
    const marker = (name: string) => join(home, `${name}.marker`);
    const app = (name: string, extra = '') =>
      `{ name: '${name}', script: ${JSON.stringify(SIGINT_ONLY)}, env: { MARKER_FILE: ${JSON.stringify(marker(name))} }${extra} }`;
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [${app('si')}, ${app('st', ", kill_signal: 'SIGTERM'")}] };\n`,
    );
    const toml = join(home, 'velos.toml');
    writeFileSync(toml, `[[apps]]\nname = "vt"\nscript = ${JSON.stringify(SIGINT_ONLY)}\n`);
    for (const config of [file, toml]) {
      const started = await velos(['start', config], { home });
      expect(started.code, started.stderr).toBe(0);
    }
    const shown = await velos(['show', 'si'], { home });
    expect(shown.stdout).toMatch(/stop\s+SIGINT, then SIGKILL after/);
    const units = await velos(['export', 'systemd', file], { home });
    const signals = units.stdout.split('\n').filter((line) => line.startsWith('KillSignal='));
    expect(signals, units.stderr).toEqual(['KillSignal=SIGINT', 'KillSignal=SIGTERM']);
    await Promise.all(['si', 'st', 'vt'].map((name) => waitForStatus(home, name, 'online')));
    const stopped = await velos(['stop', 'si', 'st', 'vt'], { home });
    expect(stopped.code, stopped.stderr).toBe(0);
    // the SIGINT handler ran: PM2's graceful shutdown kept; the file's own kill_signal and Velos's file: SIGTERM
    expect(readFileSync(marker('si'), 'utf8')).toBe('clean exit\n');
    expect([existsSync(marker('st')), existsSync(marker('vt'))]).toEqual([false, false]);
    await deleteApps(home, ['si', 'st', 'vt']);
  });

  it('velos start --kill-signal sets the stop signal of a script started without a file, checked as kill_signal is', async () => {
    const home = shared();
    const marker = join(home, 'ks.marker');
    // an app that handles only SIGINT needed a config file: start had no flag for kill_signal
    const started = await velos(['start', SIGINT_ONLY, '--name', 'ks', '--kill-signal', 'SIGINT'], {
      home,
      env: { MARKER_FILE: marker },
    });
    expect(started.code, started.stderr).toBe(0);
    const shown = await velos(['show', 'ks'], { home });
    expect(shown.stdout).toMatch(/stop\s+SIGINT, then SIGKILL after/);
    await waitForStatus(home, 'ks', 'online');
    const stopped = await velos(['stop', 'ks'], { home });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('clean exit\n');
    const refused = await velos(['start', SIGINT_ONLY, '--name', 'kb', '--kill-signal', 'INT'], { home });
    expect([refused.code, refused.stderr.trim()]).toEqual([
      2,
      'velos: --kill-signal: expected one of "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGKILL", got "INT"',
    ]);
    expect(await rowsNamed(home, 'kb')).toEqual([]);
    await deleteApps(home, ['ks']);
  });

  it("shutdown_with_message: stop sends 'shutdown' instead of the stop signal (ecosystem file)", async () => {
    const home = shared();
    const file = join(home, 'sm.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'sm', script: ${JSON.stringify(SHUTDOWN)}, shutdownWithMessage: true, kill_timeout: 20000 }] };\n`,
    );
    const started = await velos(['start', file], { home });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).not.toMatch(/shutdown_with_message/);
    const row = await waitForStatus(home, 'sm', 'online');
    await waitFor(() => readLines(outLog(home, 'sm')).some((line) => line.includes('channel yes')));
    const stopped = await velos(['stop', 'sm'], { home });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(isAlive(row.pid!)).toBe(false);
    const lines = await waitFor(() => {
      const out = readLines(outLog(home, 'sm'));
      return out.some((line) => line.includes('cleaning up')) ? out : undefined;
    });
    expect(lines).toContainEqual(expect.stringContaining('got message "shutdown"'));
    expect(lines.join('\n')).not.toMatch(/got SIG/);
    expect(daemonLog(home)).not.toMatch(/SIGKILLed/);
    await deleteApps(home, ['sm']);
  });

  it("--shutdown-with-message: an app that ignores 'shutdown' is SIGKILLed after --kill-timeout", async () => {
    const home = shared();
    const started = await velos(
      ['start', SHUTDOWN, '--name', 'stubborn', '--shutdown-with-message', '--kill-timeout', '800'],
      { home, env: { IGNORE_SHUTDOWN: '1' } },
    );
    expect(started.code, started.stderr).toBe(0);
    const row = await waitForStatus(home, 'stubborn', 'online');
    await waitFor(() => readLines(outLog(home, 'stubborn')).some((line) => line.includes('channel yes')));
    expect((await velos(['restart', 'stubborn'], { home })).code).toBe(0);
    expect(isAlive(row.pid!)).toBe(false);
    expect(daemonLog(home)).toMatch(/did not exit within 800 ms of the 'shutdown' message: SIGKILLed/);
    const lines = readLines(outLog(home, 'stubborn')).join('\n');
    expect(lines).toContain('got message "shutdown"');
    expect(lines).not.toMatch(/got SIG/);
    // the new run has its channel too
    await waitForStatus(home, 'stubborn', 'online');
    await deleteApps(home, ['stubborn']);
  });

  it('app events sent over the fork channel reach velos events', async () => {
    const home = shared();
    const app = join(FIXTURES, 'app-events.js');
    expect((await velos(['start', app, '--name', 'ev', '--shutdown-with-message'], { home })).code).toBe(0);
    const isSync = (event: { kind: string; app?: string; fields?: Record<string, unknown> }) =>
      event.kind === 'app.sync.ipc' && event.fields?.rows === 7;
    // waited for on the bus over the socket, then shown by `velos events` once
    await waitFor(async () => (await busEvents(home, ['app.sync.ipc'])).some(isSync));
    const result = await velos(['events', 'ev', '--kind', 'app', '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    const events = JSON.parse(result.stdout) as { kind: string; fields?: { rows?: number } }[];
    expect(events.some(isSync)).toBe(true);
    await deleteApps(home, ['ev']);
  });

  it('an app without these options has no IPC channel', async () => {
    const home = shared();
    expect((await velos(['start', WAIT_READY, '--name', 'plain'], { home })).code).toBe(0);
    await waitFor(() => readLines(outLog(home, 'plain')).some((line) => line.includes('channel no')));
    await deleteApps(home, ['plain']);
  });
});
