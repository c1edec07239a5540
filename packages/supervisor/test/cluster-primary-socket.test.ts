import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { constants, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, Socket } from 'node:net';
import { networkInterfaces, constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { FromPrimary, ToPrimary, WorkerState } from '../src/cluster/cluster-messages.js';
import { LineChannel } from '../src/cluster/line-channel.js';
import { isPidAlive } from '../src/proc-scan.js';
import { TEST_BUNDLE_DIR } from './bundle-dir.js';
import { freePort } from './free-port.js';
import { FIXTURES, Harness, SeenProcesses, waitFor } from './helpers.js';

/** Whether the loopback has ::1 (a container may run with IPv6 switched off). */
const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  (addresses ?? []).some((address) => address.address === '::1'),
);

const harness = new Harness();
const started = new SeenProcesses();
afterEach(async () => {
  started.killAll({ withDescendants: true });
  await harness.cleanup();
});

/** A daemon's end of the control socket: every message received, and a way to send. */
async function attach(
  socket: string,
): Promise<{ channel: LineChannel<FromPrimary, ToPrimary>; got: FromPrimary[] }> {
  const got: FromPrimary[] = [];
  const raw = connect(socket);
  const channel = new LineChannel<FromPrimary, ToPrimary>(raw, (message) => got.push(message));
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  return { channel, got };
}

/** A primary on `socket`; with `fdLimit`, it and its workers may open that many file descriptors. */
function spawnPrimary(socket: string, env: Record<string, string>, fdLimit?: number): ChildProcess {
  const argv = [process.execPath, join(TEST_BUNDLE_DIR, 'cluster-primary.js'), 'web', socket];
  const [command, ...args] =
    fdLimit === undefined ? argv : ['sh', '-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, ...argv];
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env });
  started.add(child.pid);
  return child;
}

/** A primary spawned on `<home>/p.sock`, once it listens there. */
async function listeningPrimary(
  home: string,
  fdLimit?: number,
): Promise<{ primary: ChildProcess; socket: string }> {
  const socket = join(home, 'p.sock');
  const primary = spawnPrimary(socket, { PATH: process.env.PATH ?? '' }, fdLimit);
  await new Promise<void>((resolve) =>
    createInterface({ input: primary.stdout! }).once('line', (line) => line === 'listening' && resolve()),
  );
  return { primary, socket };
}

describe('the cluster primary control socket (SUP-13)', () => {
  it('outlives a daemon connection: a new connection gets the live workers, their FIFOs still written', async () => {
    const home = harness.home();
    const socket = join(home, 'p.sock');
    const out = join(home, '0-out.fifo');
    const err = join(home, '0-err.fifo');
    execFileSync('mkfifo', ['-m', '600', out, err]);
    const primary = spawnPrimary(socket, { PATH: process.env.PATH ?? '' });
    await new Promise<void>((resolve) =>
      createInterface({ input: primary.stdout! }).once('line', (line) => line === 'listening' && resolve()),
    );
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    // the first "daemon" forks a worker into the FIFOs, marks it current, then dies (its connection closes)
    const reader = new Socket({
      fd: openSync(out, constants.O_RDONLY | constants.O_NONBLOCK),
      readable: true,
    });
    let output = '';
    reader.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const first = await attach(socket);
    first.channel.send({
      t: 'fork',
      key: 7,
      id: 0,
      instance: 0,
      exec: join(FIXTURES, 'cluster-server.js'),
      args: [],
      execArgv: [],
      cwd: home,
      env: { PATH: process.env.PATH ?? '', PORT: '0' },
      out,
      err,
      lane: 0,
    });
    const online = await waitFor(() => first.got.find((m) => m.t === 'online'));
    const pid = (online as { pid: number }).pid;
    started.add(pid);
    first.channel.send({ t: 'current', key: 7 });
    await waitFor(() => first.got.some((m) => m.t === 'listening'));
    await waitFor(() => output.includes('listening on'), { what: 'the worker output through the FIFO' });
    first.channel.close();
    reader.destroy();

    // the daemon is gone and nobody reads the FIFO: the worker goes on (its write end is its own, opened
    // read-write), and so does the primary
    expect(isPidAlive(pid) && isPidAlive(primary.pid!)).toBe(true);

    const second = await attach(socket);
    second.channel.send({ t: 'hello' });
    const state = await waitFor(() => second.got.find((m) => m.t === 'state'));
    expect((state as { workers: WorkerState[] }).workers).toMatchObject([
      { key: 7, id: 0, instance: 0, pid, lane: 0, isCurrent: true, isListening: true, isConnected: true },
    ]);
    // a worker's exit reaches the connected daemon with its code
    process.kill(pid, 'SIGTERM');
    const exit = await waitFor(() => second.got.find((m) => m.t === 'exit'));
    expect(exit).toMatchObject({ key: 7, pid, code: 0 });
    // shutdown: the primary exits
    second.channel.send({ t: 'shutdown' });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });

  it("SIGKILLs a worker that ignores SIGTERM the daemon's graceMs (the app's kill_timeout) after a shutdown, not 5 s", async () => {
    const home = harness.home();
    const { primary, socket } = await listeningPrimary(home);
    const daemon = await attach(socket);
    const out = join(home, 'stubborn.out');
    writeFileSync(out, '');
    daemon.channel.send({
      t: 'fork',
      key: 1,
      id: 0,
      instance: 0,
      exec: join(FIXTURES, 'ignore-sigterm.js'),
      args: [],
      execArgv: [],
      cwd: home,
      env: { PATH: process.env.PATH ?? '' },
      out,
      err: null,
      lane: 0,
    });
    const online = await waitFor(() => daemon.got.find((m) => m.t === 'booted'));
    const pid = (online as { pid: number }).pid;
    started.add(pid);
    // it prints once its SIGTERM handler is set
    await waitFor(() => readFileSync(out, 'utf8').includes('stubborn pid'), { what: "the worker's handler" });
    const sentAt = Date.now();
    daemon.channel.send({ t: 'shutdown', graceMs: 200 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit', timeoutMs: 3000 });
    // it waited the grace it was given for the stubborn worker, which ended with it
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(200);
    await waitFor(() => !isPidAlive(pid), { what: 'the worker to be SIGKILLed', timeoutMs: 1000 });
  });

  it("reports a worker's boot apart from its fork, before its exit: min_uptime counts from its Node being up", async () => {
    const home = harness.home();
    const { primary, socket } = await listeningPrimary(home);
    const daemon = await attach(socket);
    daemon.channel.send({
      t: 'fork',
      key: 3,
      id: 0,
      instance: 0,
      exec: join(FIXTURES, 'crash-after.js'),
      args: ['0'],
      execArgv: [],
      cwd: home,
      env: { PATH: process.env.PATH ?? '', EXIT_CODE: '4' },
      out: null,
      err: null,
      lane: 0,
    });
    await waitFor(() => daemon.got.some((m) => m.t === 'exit'), { what: 'the crashing worker to exit' });
    const worker = daemon.got.find((m) => m.t === 'online') as { pid: number } | undefined;
    started.add(worker?.pid);
    // the daemon keeps the process `starting` from the fork to the boot: a slow boot is no uptime
    const lifeCycle = daemon.got.filter((m) => m.t === 'online' || m.t === 'booted' || m.t === 'exit');
    expect(lifeCycle).toMatchObject([
      { t: 'online', key: 3, hasBootReport: true },
      { t: 'booted', key: 3, pid: worker?.pid },
      { t: 'exit', key: 3, code: 4 },
    ]);
    daemon.channel.send({ t: 'shutdown' });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it("holds a reload's new worker off the shared port until admitted: its probe door serves it, its app hears 'listening' once", async () => {
    const { primary, daemon, pid, port } = await forkHeld('held-listen.js');
    const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
    const doorPort = (door as { port: number }).port;
    // at its door, the server has heard 'listening' once and gives the port it will listen on
    expect(await getJson(doorPort)).toEqual({ pid, listened: 1, port });
    // no worker listens on the shared port yet: node:cluster has no worker to hand a client to
    await expect(getJson(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(daemon.got.filter((m) => m.t === 'listening')).toEqual([]);

    daemon.channel.send({ t: 'admit', key: 1 });
    const listening = await waitFor(() => daemon.got.find((m) => m.t === 'listening'));
    expect(listening).toMatchObject({ key: 1, address: `127.0.0.1:${port}` });
    expect(await getJson(port)).toEqual({ pid, listened: 1, port });
    // the door closed once the worker joined the shared port
    await expect(getJson(doorPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it.skipIf(!hasIpv6Loopback)(
    'holds every server of the worker on the probed port (localhost and ::1, as Fastify), and admits them all',
    async () => {
      const { primary, daemon, pid, port } = await forkHeld('held-listen-twice.js', {
        HOSTS: 'localhost,::1',
      });
      const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
      // address() gives the address the host name stands for, as listen() would (Fastify compares them)
      const atDoor = { pid, host: 'localhost', address: '127.0.0.1', isListening: true, listened: 1 };
      expect(await getJson((door as { port: number }).port)).toEqual(atDoor);
      await expect(getJson(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(getJson(port, '::1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      daemon.channel.send({ t: 'admit', key: 1 });
      await waitFor(() => daemon.got.filter((m) => m.t === 'listening').length === 2);
      expect(await getJson(port)).toEqual(atDoor);
      expect(await getJson(port, '::1')).toEqual({
        pid,
        host: '::1',
        address: '::1',
        isListening: true,
        listened: 1,
      });
      daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
      await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
    },
  );
  it("answers a held server's listen() twice as Node does: one 'listening', then ERR_SERVER_ALREADY_LISTEN; admitted, it listens once", async () => {
    const { primary, daemon, pid, port } = await forkHeld('held-listen.js', { LISTEN_AGAIN: '1' });
    const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
    const doorPort = (door as { port: number }).port;
    expect(await getJson(doorPort)).toEqual({ pid, listened: 1, port });
    const again = await waitFor(() => daemon.got.find((m) => m.t === 'event'));
    expect((again as { event: unknown }).event).toEqual({
      velos_event: 'listen-again',
      code: 'ERR_SERVER_ALREADY_LISTEN',
    });
    daemon.channel.send({ t: 'admit', key: 1 });
    await waitFor(() => daemon.got.find((m) => m.t === 'listening'));
    expect(await getJson(port)).toEqual({ pid, listened: 1, port });
    await expect(getJson(doorPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it('refuses a second server on a held address and port with EADDRINUSE, as node:cluster does, and holds the first', async () => {
    const { primary, daemon, pid, port } = await forkHeld('held-listen-twice.js', {
      HOSTS: '127.0.0.1,localhost',
    });
    const refused = await waitFor(() => daemon.got.find((m) => m.t === 'event'));
    // what a worker's second listen() on an address and port gets without the hold
    expect((refused as { event: unknown }).event).toEqual({
      velos_event: 'error',
      host: 'localhost',
      message: `bind EADDRINUSE 127.0.0.1:${port}`,
      code: 'EADDRINUSE',
      errno: -osConstants.errno.EADDRINUSE,
      syscall: 'bind',
    });
    const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
    const first = { pid, host: '127.0.0.1', address: '127.0.0.1', isListening: true, listened: 1 };
    expect(await getJson((door as { port: number }).port)).toEqual(first);
    daemon.channel.send({ t: 'admit', key: 1 });
    await waitFor(() => daemon.got.find((m) => m.t === 'listening'));
    expect(await getJson(port)).toEqual(first);
    expect(daemon.got.filter((m) => m.t === 'event' || m.t === 'listening').length).toBe(2);
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it("holds a server on each of the old worker's other ports too, the door serving the probed one, and admits both", async () => {
    const port2 = await freePort();
    const { primary, daemon, pid, port } = await forkHeld('held-listen.js', {
      PORT2: String(port2),
      VELOS_PROBE_HOLD: `${port2}`,
    });
    const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
    expect(await getJson((door as { port: number }).port)).toEqual({ pid, listened: 1, port });
    await expect(getJson(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(getJson(port2)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(daemon.got.filter((m) => m.t === 'listening')).toEqual([]);

    daemon.channel.send({ t: 'admit', key: 1 });
    await waitFor(() => daemon.got.filter((m) => m.t === 'listening').length === 2);
    expect(await getJson(port)).toEqual({ pid, listened: 1, port });
    expect(await getJson(port2)).toEqual({ pid, port: port2 });
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it('holds no listen() on a Unix socket or on port 0: those listen at once beside the held server', async () => {
    const { primary, daemon, port, home } = await forkHeld('held-listen.js', { ALSO_LISTEN: '1' });
    await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
    const [unix, ephemeral] = await waitFor(() => {
      const got = daemon.got.filter((m) => m.t === 'listening').map((m) => m.address);
      return got.length === 2 ? got.sort() : undefined;
    });
    expect(unix).toBe(join(home, 'also.sock'));
    expect(ephemeral).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ephemeral).not.toBe(`127.0.0.1:${port}`);
    daemon.channel.send({ t: 'admit', key: 1 });
    await waitFor(() => daemon.got.filter((m) => m.t === 'listening').length === 3);
    expect(daemon.got.filter((m) => m.t === 'listening').at(-1)).toMatchObject({
      address: `127.0.0.1:${port}`,
    });
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it('serves the door with the next held server on the port when the first one closes, and admits it', async () => {
    const { primary, daemon, pid, port } = await forkHeld('held-listen-twice.js', {
      HOSTS: '127.0.0.1,127.0.0.2',
      CLOSE_FIRST: '1',
    });
    const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
    const second = { pid, host: '127.0.0.2', address: '127.0.0.2', isListening: true, listened: 1 };
    expect(await getJson((door as { port: number }).port)).toEqual(second);

    daemon.channel.send({ t: 'admit', key: 1 });
    const listening = await waitFor(() => daemon.got.find((m) => m.t === 'listening'));
    expect(listening).toMatchObject({ key: 1, address: `127.0.0.2:${port}` });
    expect(await getJson(port, '127.0.0.2')).toEqual(second);
    await expect(getJson(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
  it.each([
    ['closes', 'close'],
    ['disposes of (await using)', 'dispose'],
  ])(
    '%s a held server as a listening one: its callback gets no error, its door closes, an admit does not listen it',
    async (_, how) => {
      const { primary, daemon, port } = await forkHeld('held-close.js', { CLOSE: how });
      const door = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door'));
      const closed = await waitFor(() => daemon.got.find((m) => m.t === 'event'));
      expect((closed as { event: unknown }).event).toEqual({
        velos_event: 'closed',
        error: null,
        isCloseEmitted: true,
      });
      await expect(getJson((door as { port: number }).port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      daemon.channel.send({ t: 'admit', key: 1 });
      // the app's own listen() after the admit: any listen the admit made came first
      await waitFor(() => daemon.got.find((m) => m.t === 'listening'));
      expect(daemon.got.filter((m) => m.t === 'listening' && m.address.endsWith(`:${port}`))).toEqual([]);
      await expect(getJson(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
      await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
    },
  );
  it('does not hold a worker whose probe door cannot open: it says why and listens on the shared port at once', async () => {
    const { primary, daemon, pid, port } = await forkHeld('held-no-door.js', {}, 128);
    const failed = await waitFor(() => daemon.got.find((m) => m.t === 'probe-door-failed'));
    expect(failed).toEqual({ t: 'probe-door-failed', key: 1, pid, reason: 'EMFILE' });
    // no admit: it listens as it did before the hold, its listen() callback called once
    const listening = await waitFor(() => daemon.got.find((m) => m.t === 'listening'));
    expect(listening).toMatchObject({ key: 1, address: `127.0.0.1:${port}` });
    expect(await getJson(port)).toEqual({ pid, listened: 1 });
    expect(daemon.got.filter((m) => m.t === 'probe-door')).toEqual([]);
    daemon.channel.send({ t: 'shutdown', graceMs: 1000 });
    await waitFor(() => !isPidAlive(primary.pid!), { what: 'the primary to exit' });
  });
});

/**
 * A primary (`fdLimit`: see spawnPrimary) with a worker of `fixture` forked as a reload's new worker
 * held off `port` (its PORT), once the worker is online.
 */
async function forkHeld(fixture: string, env: Record<string, string> = {}, fdLimit?: number) {
  const home = harness.home();
  const port = await freePort();
  const { primary, socket } = await listeningPrimary(home, fdLimit);
  const daemon = await attach(socket);
  daemon.channel.send({
    t: 'fork',
    key: 1,
    id: 0,
    instance: 0,
    exec: join(FIXTURES, fixture),
    args: [],
    execArgv: [],
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      VELOS_PROBE_PORT: String(port),
      VELOS_PROBE_HOLD: String(port),
      ...env,
    },
    out: null,
    err: null,
    lane: 0,
  });
  const online = await waitFor(() => daemon.got.find((m) => m.t === 'online'));
  const { pid } = online as { pid: number };
  started.add(pid);
  return { primary, daemon, pid, port, home };
}

/** One GET of `host`:`port` (127.0.0.1 unless told), its JSON body. */
function getJson(port: number, host = '127.0.0.1'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get({ host, port, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    }).once('error', reject);
  });
}
