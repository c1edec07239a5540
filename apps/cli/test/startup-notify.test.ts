import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@velos/client';
import type { ProcessInfo } from '@velos/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DIST, Scratch, waitFor } from './startup-helpers.js';

const SILENT = fileURLToPath(new URL('../../../fixtures/silent.js', import.meta.url));

/** Binds a Unix datagram socket (argv[1]) and appends each message, lines joined by |, to argv[2]. */
const DATAGRAM_RECEIVER = [
  'import socket, sys',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.bind(sys.argv[1])',
  "out = open(sys.argv[2], 'a', buffering=1)",
  'while True:',
  // fds passed along (systemd-notify's BARRIER=1) do not fit the empty ancillary buffer: the kernel closes them
  "    out.write(s.recv(65536).decode().replace('\\n', '|') + '\\n')",
].join('\n');

const scratch = new Scratch();
const homes: string[] = [];
afterEach(() => scratch.cleanup(homes.splice(0)));

beforeAll(() => {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: build the CLI first (pnpm --filter velos build)`);
});

interface Daemon {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `velos daemon --foreground` as systemd runs it: NOTIFY_SOCKET set, `PATH` as given. */
function startDaemon(home: string, path: string): Daemon {
  const child = spawn(process.execPath, [DIST, 'daemon', '--foreground'], {
    env: { ...process.env, VELOS_HOME: home, NOTIFY_SOCKET: join(home, 'notify'), PATH: path },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  scratch.children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function pingPid(home: string): Promise<number> {
  const client = createClient({ home, autoStart: false });
  try {
    return (await client.ping()).pid;
  } finally {
    await client.close();
  }
}

/** A fake systemd-notify that records whether the daemon's socket existed when it was called. */
function fakeNotify(): { bin: string; calls: () => string[] } {
  const bin = scratch.fakeProgram(
    'systemd-notify',
    '[ -S "$VELOS_HOME/velos.sock" ] && s=listening || s=not-listening\n' +
      'echo "$s $NOTIFY_SOCKET $*" >> "$(dirname "$0")/calls"',
  );
  const file = join(bin, 'calls');
  return { bin, calls: () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []) };
}

describe('velos daemon --foreground under systemd (NOTIFY_SOCKET)', () => {
  it('sends READY=1 once it listens and has restored the state, STOPPING=1 on velos kill', async () => {
    const home = scratch.dir('velos-n-');
    homes.push(home);
    const notify = fakeNotify();
    const path = `${notify.bin}:${process.env.PATH}`;
    const socket = join(home, 'velos.sock');

    const first = startDaemon(home, path);
    const pid = await waitFor(() => pingPid(home), 'the daemon to answer ping');
    expect(pid).toBe(first.child.pid);
    const ready = `listening ${join(home, 'notify')} --pid=${pid} READY=1 STATUS=0 processes restored, listening on ${socket}`;
    await waitFor(() => notify.calls().includes(ready), `"${ready}" in ${notify.calls().join(' | ')}`);
    expect(first.stderr()).toContain(`listening on ${socket}`);

    // an app to be saved by kill and restored by the next daemon
    const started = await scratch.run(BIN, ['start', SILENT, '--name', 'svc', '--json'], {
      VELOS_HOME: home,
    });
    expect(started.code).toBe(0);
    const apps = JSON.parse(started.stdout) as ProcessInfo[];
    for (const app of apps) scratch.pids.add(app.pid);

    const killed = await scratch.run(BIN, ['kill'], { VELOS_HOME: home });
    expect(killed.code).toBe(0);
    expect(await first.exited).toBe(0);
    await waitFor(
      () => notify.calls().some((call) => call.includes(`--pid=${pid} STOPPING=1`)),
      'STOPPING=1',
    );
    expect(notify.calls().filter((call) => call.includes('READY=1'))).toHaveLength(1);
    // as the kill began to stop svc (one wave of kill_timeout 5 s, + 1 s slack, + 10 s margin): before
    // its STOPPING=1, which goes once the kill has answered
    const stopCalls = notify.calls().filter((call) => /EXTEND_TIMEOUT_USEC|STOPPING/.test(call));
    expect(stopCalls[0]?.split(' ').slice(1)).toEqual([
      join(home, 'notify'),
      `--pid=${pid}`,
      'EXTEND_TIMEOUT_USEC=16000000',
    ]);

    const second = startDaemon(home, path);
    const secondPid = await waitFor(() => pingPid(home), 'the second daemon to answer ping');
    expect(secondPid).toBe(second.child.pid);
    await waitFor(
      () =>
        notify.calls().some((call) => call.includes(`--pid=${secondPid} READY=1 STATUS=1 process restored`)),
      'READY=1 of the second daemon with the restored app',
    );
    const listed = await scratch.run(BIN, ['list', '--json'], { VELOS_HOME: home });
    const restored = JSON.parse(listed.stdout) as ProcessInfo[];
    for (const app of restored) scratch.pids.add(app.pid);
    expect(restored.map((app) => [app.name, app.status])).toEqual([['svc', 'online']]);
    expect((await scratch.run(BIN, ['kill'], { VELOS_HOME: home })).code).toBe(0);
    expect(await second.exited).toBe(0);
  });

  it('through the real systemd-notify, READY=1 reaches NOTIFY_SOCKET as an sd_notify datagram', async () => {
    const home = scratch.dir('velos-n-');
    homes.push(home);
    if (!(process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'systemd-notify')))) {
      throw new Error(
        'systemd-notify is not installed: it comes with the Debian package "systemd" (.ci/run installs it)',
      );
    }
    const datagrams = join(home, 'datagrams');
    const receiver = spawn('python3', ['-c', DATAGRAM_RECEIVER, join(home, 'notify'), datagrams], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    scratch.children.push(receiver);
    await waitFor(() => existsSync(join(home, 'notify')), 'the receiver to bind NOTIFY_SOCKET');
    const daemon = startDaemon(home, process.env.PATH ?? '');
    const pid = daemon.child.pid;
    const read = (): string[] => (existsSync(datagrams) ? readFileSync(datagrams, 'utf8').split('\n') : []);
    await waitFor(() => read().some((d) => d.includes('READY=1')), 'a READY=1 datagram');
    expect(
      read()
        .find((d) => d.includes('READY=1'))
        ?.split('|'),
    ).toEqual(
      expect.arrayContaining([
        `MAINPID=${pid}`,
        'READY=1',
        expect.stringMatching(/^STATUS=0 processes restored/),
      ]),
    );
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    await waitFor(() => read().some((d) => d.includes('STOPPING=1')), 'a STOPPING=1 datagram');
    // SIGTERM stops every app too (none here: the margin alone)
    await waitFor(
      () => read().some((d) => d.includes('EXTEND_TIMEOUT_USEC=10000000')),
      'EXTEND_TIMEOUT_USEC',
    );
  });

  it('without systemd-notify on PATH it still serves, and says why in daemon.log', async () => {
    const home = scratch.dir('velos-n-');
    homes.push(home);
    const empty = scratch.dir('velos-bin-');
    const daemon = startDaemon(home, empty);
    await waitFor(() => pingPid(home), 'the daemon to answer ping');
    const log = join(home, 'daemon.log');
    await waitFor(() => readFileSync(log, 'utf8').includes('systemd-notify is not on PATH'), 'the log line');
    expect(daemon.child.exitCode).toBeNull();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });
});
