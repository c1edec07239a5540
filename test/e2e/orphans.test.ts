import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  describeJson,
  isAlive,
  type ListRow,
  listJson,
  listProcs,
  outLog,
  readLines,
  readPidFile,
  rowsNamed,
  SeenProcesses,
  killDaemon as stopDaemon,
  velos,
  velosOk,
  waitFor,
  waitForLiveTable,
  waitForStatus,
  withClient,
} from './helpers.js';

/** Processes a test starts itself (besides the CLI's), killed by pid in teardown. */
const owned: ChildProcess[] = [];
/** Pids of supervised children a test saw, killed by pid in teardown whatever happened. */
const seenPids = new SeenProcesses();

afterEach(async () => {
  for (const child of owned.splice(0)) child.kill('SIGKILL');
  seenPids.killAll();
  await cleanupHomes();
});

interface AdoptedRow extends ListRow {
  adopted?: boolean;
}

/** Bytes a process has written so far (`wchar` of /proc/<pid>/io). */
function bytesWritten(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? 0);
}

/** The fields of a `velos jlist` element this file reads. */
interface Pm2Row {
  pid: number;
  pm2_env: { restart_time: number; unstable_restarts: number; created_at: number; pm_uptime: number };
}

async function jlist(home: string): Promise<Pm2Row[]> {
  return JSON.parse((await velosOk(['jlist'], { home })).stdout) as Pm2Row[];
}

/** SIGKILLs the daemon of a home by the pid in velos.pid and waits until it is gone. */
async function killDaemon(home: string): Promise<void> {
  const pid = readPidFile(home);
  expect(pid).not.toBeNull();
  process.kill(pid!, 'SIGKILL');
  await waitFor(() => !isAlive(pid), { message: 'the SIGKILLed daemon to be gone' });
}

/** The numbers `pattern` captures in a log file's lines. */
function numbers(path: string, pattern: RegExp): number[] {
  return readLines(path)
    .map((line) => pattern.exec(line)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

async function onlineRow(home: string, name: string): Promise<AdoptedRow> {
  const row = await waitForStatus(home, name, 'online');
  if (row.pid) seenPids.add(row.pid);
  return row;
}

describe('orphans after a SIGKILLed daemon (SUP-13)', () => {
  it('keeps the children running, re-adopts them with their output, and supervises them again', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'tick'], { home, env: { TICK_MS: '50' } });
    await velosOk(['start', 'fixtures/app.py', '--name', 'py'], { home, env: { INTERVAL: '0.05' } });
    await withClient(home, (client) => client.save());
    const tick = await onlineRow(home, 'tick');
    const py = await onlineRow(home, 'py');
    const tickLine = /^ticker \d+ line (\d+)$/;
    const pyLine = /^tick (\d+)$/;
    await waitFor(() => numbers(outLog(home, 'tick'), tickLine).length >= 5, { message: 'tick output' });
    await waitFor(() => numbers(outLog(home, 'py'), pyLine).length >= 5, { message: 'py output' });

    await killDaemon(home);
    const lastTick = Math.max(...numbers(outLog(home, 'tick'), tickLine));
    const lastPy = Math.max(...numbers(outLog(home, 'py'), pyLine));
    // Both keep printing with nobody reading: 20 more lines each (an EPIPE or BrokenPipeError would end them).
    const tickBytes = bytesWritten(tick.pid!);
    const pyBytes = bytesWritten(py.pid!);
    await waitFor(() => bytesWritten(tick.pid!) > tickBytes + 20 * 20, { message: 'tick to print on' });
    await waitFor(() => bytesWritten(py.pid!) > pyBytes + 20 * 8, { message: 'py to print on' });
    expect(isAlive(tick.pid)).toBe(true);
    expect(isAlive(py.pid)).toBe(true);

    // Any command starts the daemon again; it re-adopts both and says so.
    const listed = await velosOk(['list', '--json'], { home });
    expect(listed.stderr).toMatch(/re-adopted tick \(id 0, pid \d+\)/);
    expect(listed.stderr).toMatch(/re-adopted py \(id 1, pid \d+\)/);
    const rows = JSON.parse(listed.stdout) as AdoptedRow[];
    expect(rows.map((row) => [row.name, row.pid, row.status, row.adopted])).toEqual([
      ['tick', tick.pid, 'online', true],
      ['py', py.pid, 'online', true],
    ]);
    const daemonLog = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(daemonLog).toMatch(/orphans: re-adopted tick/);

    // The lines printed while no daemon ran are captured, each once, and capture goes on.
    for (const [path, pattern, last] of [
      [outLog(home, 'tick'), tickLine, lastTick],
      [outLog(home, 'py'), pyLine, lastPy],
    ] as const) {
      await waitFor(() => Math.max(...numbers(path, pattern)) > last + 40, { message: `${path} to grow` });
      const seen = numbers(path, pattern);
      const after = seen.filter((n) => n > last + 1).sort((a, b) => a - b);
      const top = after.at(-1)!;
      expect(after).toEqual(Array.from({ length: top - last - 1 }, (_, i) => last + 2 + i));
    }

    // The restart policy holds: an adopted child that dies is restarted.
    process.kill(py.pid!, 'SIGKILL');
    const restarted = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'py'))[0];
        return row?.status === 'online' && row.pid !== py.pid && row.restarts === 1 ? row : undefined;
      },
      { message: 'py restarted after its adopted run died' },
    );
    seenPids.add(restarted.pid!);
    expect((restarted as AdoptedRow).adopted).toBeUndefined();

    // A stop stops the adopted process.
    await withClient(home, (client) => client.stop('tick'));
    await waitFor(() => !isAlive(tick.pid), { message: 'the adopted tick to be stopped' });
    expect((await rowsNamed(home, 'tick'))[0]?.status).toBe('stopped');
  });

  it('stops an orphan the saved state does not know, and its grandchild that left the group', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'kept'], { home });
    await withClient(home, (client) => client.save());
    await velosOk(['start', 'sleep 300 & (setsid sleep 301 &); wait', '--name', 'unsaved'], { home });
    const kept = await onlineRow(home, 'kept');
    const unsaved = await onlineRow(home, 'unsaved');
    const stray = await waitFor(
      () =>
        listProcs().find(
          (p) => p.cmdline.join(' ') === 'sleep 301' && p.environ.includes(`VELOS_HOME=${home}`),
        ),
      { message: 'the double-forked sleep' },
    );
    seenPids.add(stray.pid);

    await killDaemon(home);
    // Without the live table (a daemon that died before writing it), the saved state decides.
    rmSync(join(home, 'run', 'live.json'), { force: true });
    const result = await velosOk(['list', '--json'], { home });
    expect(result.stderr).toMatch(/stopped unsaved \(id 1, pid \d+\) is not in the saved state/);
    expect(result.stderr).toMatch(/stopped pid \d+ \(process id 1, not registered\)/);
    const rows = JSON.parse(result.stdout) as AdoptedRow[];
    expect(rows.map((row) => [row.name, row.pid, row.adopted])).toEqual([['kept', kept.pid, true]]);
    expect(isAlive(unsaved.pid)).toBe(false);
    expect(isAlive(stray.pid)).toBe(false);
    expect(isAlive(kept.pid)).toBe(true);
  });

  it('re-adopts an app started after the last save: the live table of the dead daemon has it, and a start, stop or delete just answered', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'saved'], { home });
    await withClient(home, (client) => client.save());
    const saved = await onlineRow(home, 'saved');
    // a start answered is in the live table: a daemon killed right after re-adopts the app (it was
    // written 50 ms later: the next daemon stopped it as unknown)
    const started = await velosOk(['start', 'fixtures/ticker.js', '--name', 'later', '--json'], { home });
    const later = (JSON.parse(started.stdout) as AdoptedRow[]).find((row) => row.name === 'later')!;
    expect(later.pid).toBeGreaterThan(0);
    await killDaemon(home);
    const result = await velosOk(['list', '--json'], { home });
    expect(result.stderr).toMatch(/did not stop cleanly: restoring the processes it ran/);
    expect(result.stderr).toMatch(/re-adopted later \(id 1, pid \d+\)/);
    const rows = JSON.parse(result.stdout) as AdoptedRow[];
    expect(rows.map((row) => [row.name, row.pid, row.status, row.adopted])).toEqual([
      ['saved', saved.pid, 'online', true],
      ['later', later.pid, 'online', true],
    ]);
    // a stop and a delete answered are in the live table: a daemon killed right after undoes neither
    // (it was written 50 ms later: the deleted app came back, the stopped one ran again)
    await withClient(home, async (client) => {
      await client.delete('later');
      await client.stop('saved');
    });
    await killDaemon(home);
    const after = JSON.parse((await velosOk(['list', '--json'], { home })).stdout) as AdoptedRow[];
    expect(after.map((row) => [row.name, row.status])).toEqual([['saved', 'stopped']]);
    // `velos kill` after a crash stops the apps the dead daemon left (it said "no daemon is running",
    // exit 0, and left them running unseen): it starts a daemon, which re-adopts them, and kills it
    await withClient(home, (client) => client.restart('saved'));
    const again = await onlineRow(home, 'saved');
    // the run entry is written just after the answer (off the spawn path; the run journal has the run
    // before it, orphans-answer.test.ts): here the re-adoption is from the entry file
    await waitFor(
      () =>
        readLines(join(home, 'run', '0.json'))
          .join('')
          .includes(`"pid":${again.pid},`),
      {
        message: `run/0.json to name the restarted pid ${again.pid}`,
      },
    );
    await killDaemon(home);
    const killed = await velosOk(['kill'], { home });
    expect(killed.stderr).toMatch(/re-adopted saved \(id 0, pid \d+\)/);
    expect(killed.stdout).toMatch(/^stopped 1 process and the daemon/);
    expect(isAlive(again.pid)).toBe(false);
    // A clean kill removes the live table: the next daemon restores the saved state (saved by kill).
    expect(readLines(join(home, 'run', 'live.json'))).toEqual([]);
    expect((await velosOk(['kill'], { home })).stdout).toMatch(/^no Velos daemon is running/);
    // a crash that left nothing running (a reboot, or the app gone too): kill starts no daemon, which
    // would run the apps of the live table only to stop them
    await velosOk(['restart', 'saved'], { home });
    const last = (await onlineRow(home, 'saved')).pid!;
    await killDaemon(home);
    process.kill(last, 'SIGKILL');
    await waitFor(() => !isAlive(last), { message: 'the orphan to be gone' });
    const idle = await velosOk(['kill'], { home });
    expect(idle.stdout).toMatch(/^no Velos daemon is running/);
    expect(idle.stderr).not.toMatch(/restoring/);
    expect(readLines(join(home, 'run', 'live.json'))).not.toEqual([]);
  });

  it('keeps an instance stopped by hand stopped through velos update, a crash of the daemon and a restart of it', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'trio', '-i', '3', '-x'], { home });
    await waitFor(async () => (await rowsNamed(home, 'trio')).filter((row) => row.pid).length === 3, {
      message: '3 instances with a pid',
    });
    await velosOk(['stop', '1'], { home });
    const statuses = async () =>
      (await rowsNamed(home, 'trio')).map((row) => [row.id, row.status === 'online' ? 'online' : row.status]);
    const expected = [
      [0, 'online'],
      [1, 'stopped'],
      [2, 'online'],
    ];
    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/2 processes kept running/);
    expect(await statuses()).toEqual(expected);
    for (const row of await rowsNamed(home, 'trio')) if (row.pid) seenPids.add(row.pid);
    // the stop was written before it was answered: a crash right after keeps it
    await killDaemon(home);
    expect(await statuses()).toEqual(expected);
    // velos kill saves the list; the next daemon restores it (state.json)
    await velosOk(['kill'], { home });
    await waitFor(async () => JSON.stringify(await statuses()) === JSON.stringify(expected), {
      message: 'instance 1 stopped, the others online, after a restart of the daemon',
    });
  });

  it('re-adopts the same process after every crash of the daemon, not only the first (#19.1)', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'tick'], { home, env: { TICK_MS: '50' } });
    const tick = await onlineRow(home, 'tick');
    const entryPath = join(home, 'run', '0.json');
    for (let crash = 1; crash <= 3; crash += 1) {
      const daemon = readPidFile(home);
      // The run entry names the live daemon as its owner before that daemon is killed.
      await waitFor(() => readLines(entryPath).join('').includes(`"spawnedBy":${daemon}`), {
        message: `run/0.json to name daemon ${daemon} before crash ${crash}`,
      });
      await waitForLiveTable(home, 'tick');
      await killDaemon(home);
      const result = await velosOk(['list', '--json'], { home });
      expect(result.stderr).toMatch(/re-adopted tick \(id 0, pid \d+\)/);
      const rows = JSON.parse(result.stdout) as AdoptedRow[];
      expect(rows.map((row) => [row.name, row.pid, row.status, row.adopted])).toEqual([
        ['tick', tick.pid, 'online', true],
      ]);
    }
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).not.toMatch(/not registered/);
    // Still supervised: its output keeps being captured.
    const before = readLines(outLog(home, 'tick')).length;
    await waitFor(() => readLines(outLog(home, 'tick')).length > before + 5, { message: 'tick output' });
  });

  it('keeps restart_time, created_at and pm_uptime when the daemon is SIGKILLed and when it is updated', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'rc'], { home });
    await withClient(home, async (client) => {
      await client.restart('rc');
      await client.restart('rc');
    });
    const before = (await jlist(home))[0]!;
    seenPids.add(before.pid);
    expect(before.pm2_env.restart_time).toBe(2);
    expect(before.pm2_env.created_at).toBeLessThan(before.pm2_env.pm_uptime);
    await waitFor(
      () =>
        readLines(join(home, 'run', 'live.json'))
          .join('')
          .includes('"restarts":2'),
      {
        message: 'the live table to hold 2 restarts',
      },
    );
    const history = (row: Pm2Row) => [
      row.pid,
      row.pm2_env.restart_time,
      row.pm2_env.unstable_restarts,
      row.pm2_env.created_at,
      row.pm2_env.pm_uptime,
    ];

    await killDaemon(home);
    const adopted = await jlist(home);
    expect(adopted.map(history)).toEqual([history(before)]);
    expect((await rowsNamed(home, 'rc'))[0]?.restarts).toBe(2);

    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/daemon replaced: .*1 process kept running/);
    expect((await jlist(home)).map(history)).toEqual([history(before)]);

    // velos reset still zeroes the count, and that too survives the next crash
    await withClient(home, (client) => client.reset('rc'));
    await waitFor(
      () =>
        readLines(join(home, 'run', 'live.json'))
          .join('')
          .includes('"restarts":0'),
      {
        message: 'the live table to hold 0 restarts',
      },
    );
    await killDaemon(home);
    expect((await jlist(home)).map(history)).toEqual([
      [...history(before).slice(0, 1), 0, 0, ...history(before).slice(3)],
    ]);
  });

  it('records the exit of an adopted app as of unknown code, not a crash: restarted or stopped by autorestart', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'kept'], { home });
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'once', '--no-autorestart'], { home });
    const kept = await onlineRow(home, 'kept');
    const once = await onlineRow(home, 'once');
    await waitForLiveTable(home, 'once');
    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/daemon replaced: .*2 processes kept running/);
    const rows = (await listJson(home)) as AdoptedRow[];
    expect(rows.map((row) => [row.name, row.pid, row.adopted])).toEqual([
      ['kept', kept.pid, true],
      ['once', once.pid, true],
    ]);

    // Both end by themselves with code 0 (the ticker exits 0 on SIGTERM); only their parent, no
    // longer the daemon, could know that code.
    process.kill(kept.pid!, 'SIGTERM');
    process.kill(once.pid!, 'SIGTERM');
    const stopped = await waitForStatus(home, 'once', 'stopped');
    expect(stopped).toMatchObject({ exitCode: null, signal: null, lastExitReason: 'unknown' });
    const restarted = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'kept'))[0];
        return row?.status === 'online' && row.pid !== kept.pid ? row : undefined;
      },
      { message: 'kept restarted after its adopted run ended' },
    );
    seenPids.add(restarted.pid!);
    expect(restarted).toMatchObject({ restarts: 1, lastExitReason: 'unknown' });

    const [detail] = await describeJson(home, 'once');
    expect(detail).toMatchObject({ status: 'stopped', exitCode: null, lastExitReason: 'unknown' });
    const text = (await velosOk(['describe', 'once'], { home })).stdout;
    expect(text).toMatch(/last exit +exited, code unknown \(re-adopted/);
    expect(text).not.toMatch(/crash/);

    const events = JSON.parse(
      (await velosOk(['events', '--json', '--kind', 'process'], { home })).stdout,
    ) as {
      kind: string;
      app?: string;
      message: string;
      fields?: Record<string, unknown>;
    }[];
    const exits = events
      .filter((event) => event.kind === 'process.exited')
      .sort((a, b) => (a.app ?? '').localeCompare(b.app ?? ''));
    expect(exits.map((event) => [event.app, event.fields])).toEqual([
      ['kept', { code: null, signal: null, reason: 'unknown' }],
      ['once', { code: null, signal: null, reason: 'unknown' }],
    ]);
    expect(events.filter((event) => event.app === 'once').map((event) => event.kind)).toContain(
      'process.stopped',
    );
    expect(JSON.stringify(events)).not.toMatch(/crash/);
  });

  it('ignores a run entry whose pid now belongs to another process', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'api'], { home });
    await withClient(home, (client) => client.save());
    await stopDaemon(home);
    // A process of ours now holds a pid the registry names, with another start time: a reused pid.
    const other = spawn('sleep', ['300'], { stdio: 'ignore' });
    owned.push(other);
    const entry = { id: 0, name: 'api', pid: other.pid, startTicks: 1, startedAt: Date.now(), spawnedBy: 1 };
    writeFileSync(join(home, 'run', '0.json'), JSON.stringify(entry));

    const result = await velos(['list', '--json'], { home });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/re-adopted|stopped/);
    const row = await onlineRow(home, 'api');
    expect(row.pid).not.toBe(other.pid);
    expect(isAlive(other.pid)).toBe(true);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(
      /run entry of process 0 \(api\).* is stale/,
    );
  });
});
