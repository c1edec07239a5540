import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceNotifier, type ServiceNotifier } from '../src/service-notify.js';
import { waitFor } from './helpers.js';

const dirs: string[] = [];
const notifiers: ServiceNotifier[] = [];

afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((notifier) => notifier.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory with a fake `systemd-notify` that appends "<NOTIFY_SOCKET> <args>" to `calls`. */
function fakeNotify(): { bin: string; calls: string } {
  const bin = mkdtempSync(join(tmpdir(), 'velos-notify-'));
  dirs.push(bin);
  const calls = join(bin, 'calls');
  const script = join(bin, 'systemd-notify');
  writeFileSync(script, `#!/bin/sh\necho "$NOTIFY_SOCKET $*" >> '${calls}'\n`);
  chmodSync(script, 0o755);
  return { bin, calls };
}

function readCalls(calls: string): string[] {
  return existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [];
}

function track(notifier: ServiceNotifier): ServiceNotifier {
  notifiers.push(notifier);
  return notifier;
}

describe('createServiceNotifier', () => {
  it('sends READY=1 with the pid and status, then STOPPING=1, in order, through systemd-notify', async () => {
    const { bin, calls } = fakeNotify();
    const env = { PATH: `${bin}:${process.env.PATH}`, NOTIFY_SOCKET: '/run/test/notify' };
    const notifier = track(createServiceNotifier({ env, pid: 4242 }));
    expect(notifier.isEnabled).toBe(true);
    expect(notifier.watchdogIntervalMs).toBeNull();
    void notifier.ready('2 processes restored');
    await notifier.stopping('stopping (kill command)');
    expect(readCalls(calls)).toEqual([
      '/run/test/notify --pid=4242 READY=1 STATUS=2 processes restored',
      '/run/test/notify --pid=4242 STOPPING=1 STATUS=stopping (kill command)',
    ]);
  });

  it('sends EXTEND_TIMEOUT_USEC in microseconds (the stop of every app may outlast TimeoutStopSec=)', async () => {
    const { bin, calls } = fakeNotify();
    const env = { PATH: `${bin}:${process.env.PATH}`, NOTIFY_SOCKET: '/n' };
    const notifier = track(createServiceNotifier({ env, pid: 7 }));
    await notifier.extendTimeout(96_000);
    expect(readCalls(calls)).toEqual(['/n --pid=7 EXTEND_TIMEOUT_USEC=96000000']);
  });

  it('pings WATCHDOG=1 at half of WATCHDOG_USEC after READY, and stops on close', async () => {
    const { bin, calls } = fakeNotify();
    const env = { PATH: `${bin}:${process.env.PATH}`, NOTIFY_SOCKET: '/n', WATCHDOG_USEC: '200000' };
    const notifier = track(createServiceNotifier({ env, pid: 7 }));
    expect(notifier.watchdogIntervalMs).toBe(100);
    await notifier.ready();
    await waitFor(() => readCalls(calls).filter((call) => call === '/n --pid=7 WATCHDOG=1').length >= 2, {
      what: 'two watchdog pings',
    });
    await notifier.close();
    const count = readCalls(calls).length;
    // after close no timer is left: the count cannot grow; wait a few intervals to see it stay put
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readCalls(calls)).toHaveLength(count);
  });

  it('leaves the watchdog to another process named by WATCHDOG_PID', () => {
    const env = { NOTIFY_SOCKET: '/n', WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' };
    expect(createServiceNotifier({ env, pid: 7 }).watchdogIntervalMs).toBeNull();
  });

  it('does nothing without NOTIFY_SOCKET', async () => {
    const { bin, calls } = fakeNotify();
    const notifier = track(createServiceNotifier({ env: { PATH: bin, WATCHDOG_USEC: '1000' }, pid: 7 }));
    expect(notifier.isEnabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeNull();
    await notifier.ready('x');
    await notifier.stopping();
    await notifier.extendTimeout(1000);
    expect(readCalls(calls)).toEqual([]);
  });

  it('logs one line when systemd-notify is missing and never throws', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'velos-notify-'));
    dirs.push(empty);
    const lines: string[] = [];
    const env = { PATH: empty, NOTIFY_SOCKET: '/n' };
    const notifier = track(createServiceNotifier({ env, pid: 7, log: (line) => lines.push(line) }));
    await notifier.ready('x');
    await notifier.stopping();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/systemd-notify is not on PATH/);
  });

  it('logs a failing systemd-notify with its message', async () => {
    const { bin } = fakeNotify();
    writeFileSync(join(bin, 'systemd-notify'), '#!/bin/sh\necho "No such file or directory" >&2\nexit 1\n');
    const lines: string[] = [];
    const env = { PATH: bin, NOTIFY_SOCKET: '/n' };
    await track(createServiceNotifier({ env, pid: 7, log: (line) => lines.push(line) })).ready();
    expect(lines).toEqual(['systemd-notify READY=1 failed: No such file or directory']);
  });

  it('with unsetEnvironment removes the variables from the env it was given but still uses them', async () => {
    const { bin, calls } = fakeNotify();
    const env: NodeJS.ProcessEnv = {
      PATH: bin,
      NOTIFY_SOCKET: '/n',
      WATCHDOG_USEC: '60000000',
      WATCHDOG_PID: '7',
      KEEP: '1',
    };
    const notifier = track(createServiceNotifier({ env, pid: 7, unsetEnvironment: true }));
    expect(env).toEqual({ PATH: bin, KEEP: '1' });
    expect(notifier.watchdogIntervalMs).toBe(30_000);
    await notifier.ready();
    expect(readCalls(calls)).toEqual(['/n --pid=7 READY=1']);
  });
});
