import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHAOS_FIXTURES,
  cleanupHomes,
  createHome,
  freePort,
  homeProcesses,
  isAlive,
  killDaemon,
  type ListRow,
  onlineRows,
  readPidFile,
  rowsNamed,
  SeenProcesses,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

/** Every pid a test saw, killed in teardown whatever happened. */
const seenPids = new SeenProcesses();
const homes: string[] = [];

afterEach(async () => {
  for (const home of homes.splice(0)) for (const proc of homeProcesses(home)) seenPids.add(proc.pid);
  seenPids.killAll();
  await cleanupHomes();
});

/** The pid answering one GET on a new connection (no keep-alive), or the error's code. */
function answer(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve((JSON.parse(body) as { pid: number }).pid));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** Asks the port again and again until stopped: what answered, and every failure. */
function pollPort(port: number): { stop(): Promise<void>; answers: number[]; failures: string[] } {
  const answers: number[] = [];
  const failures: string[] = [];
  let isStopped = false;
  const loop = (async () => {
    while (!isStopped) {
      const got = await answer(port);
      if (typeof got === 'number') answers.push(got);
      else failures.push(got);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    answers,
    failures,
    async stop() {
      isStopped = true;
      await loop;
    },
  };
}

/** The tick numbers (with their times) each worker pid printed, from `velos logs`. */
async function ticksIn(home: string, name: string): Promise<Map<number, Array<[number, number]>>> {
  const result = await velosOk(['logs', name, '--lines', '100000', '--raw'], { home });
  const byPid = new Map<number, Array<[number, number]>>();
  for (const match of result.stdout.matchAll(/^tick (\d+) (\d+) (\d+)$/gm)) {
    const pid = Number(match[1]);
    if (!byPid.has(pid)) byPid.set(pid, []);
    byPid.get(pid)!.push([Number(match[2]), Number(match[3])]);
  }
  return byPid;
}

describe('a cluster app after a SIGKILLed daemon (SUP-13, #15)', () => {
  it('is re-adopted: same workers, port never refused, no line written after the kill lost, then every command works', async () => {
    const home = createHome();
    homes.push(home);
    const port = await freePort();
    await velosOk(['start', `${CHAOS_FIXTURES}/cluster-ticker.js`, '-i', '2', '--name', 'web'], {
      home,
      env: { PORT: String(port) },
    });
    const before = await onlineRows(home, 'web', 2);
    const workers = before.map((row) => row.pid!).sort();
    for (const pid of workers) seenPids.add(pid);
    await waitFor(async () => typeof (await answer(port)) === 'number', { message: 'the port to answer' });
    const poller = pollPort(port);
    try {
      await waitFor(() => poller.answers.length >= 5, { message: 'answers before the kill' });
      await killDaemon(home);
      const goneAt = Date.now();
      const answeredBefore = poller.answers.length;
      await waitFor(() => poller.answers.length >= answeredBefore + 10, {
        message: 'answers with no daemon',
      });

      // Any command starts a new daemon, which takes the cluster over.
      const listed = await velosOk(['list', '--json'], { home });
      expect(listed.stderr).toMatch(/re-adopted cluster web \(primary pid \d+\), workers /);
      const after = await onlineRows(home, 'web', 2);
      expect(after.map((row) => row.pid!).sort()).toEqual(workers);
      expect(after.every((row) => (row as ListRow & { adopted?: boolean }).adopted === true)).toBe(true);
      const answeredAfter = poller.answers.length;
      await waitFor(() => poller.answers.length >= answeredAfter + 10, {
        message: 'answers after the take-over',
      });
      await poller.stop();
      expect(poller.failures).toEqual([]);
      const gapAnswers = answeredAfter - answeredBefore;
      expect(new Set(poller.answers)).toEqual(new Set(workers));

      // Lines written while no daemon ran and after: all in `velos logs`, none missing, none twice.
      const latest = await waitFor(
        async () => {
          const ticks = await ticksIn(home, 'web');
          const isLater = workers.every((pid) =>
            (ticks.get(pid) ?? []).some(([, at]) => at > Date.now() - 200),
          );
          return isLater ? ticks : undefined;
        },
        { message: 'ticks written after the take-over in the logs' },
      );
      for (const pid of workers) {
        const seen = latest
          .get(pid)!
          .filter(([, at]) => at > goneAt)
          .map(([n]) => n);
        expect(seen.length).toBeGreaterThan(5);
        const first = seen[0]!;
        expect(seen, `worker ${pid}: every tick after the kill, in order`).toEqual(
          Array.from({ length: seen.length }, (_, i) => first + i),
        );
      }
      const afterKill = workers.map((pid) => latest.get(pid)!.filter(([, at]) => at > goneAt).length);
      console.log(
        `cluster take-over: ${poller.answers.length} answers, 0 refused (${gapAnswers} while no daemon ran); ${afterKill.join(' + ')} lines after the kill, none lost`,
      );

      // The adopted workers obey every command as fresh ones do.
      await velosOk(['reload', 'web'], { home });
      const reloaded = await onlineRows(home, 'web', 2);
      for (const row of reloaded) seenPids.add(row.pid!);
      expect(reloaded.some((row) => workers.includes(row.pid!))).toBe(false);
      await waitFor(() => workers.every((pid) => !isAlive(pid)), {
        message: 'the adopted workers to retire',
      });
      await waitFor(async () => typeof (await answer(port)) === 'number', {
        message: 'the port after reload',
      });

      await velosOk(['restart', 'web'], { home });
      const restarted = await onlineRows(home, 'web', 2);
      for (const row of restarted) seenPids.add(row.pid!);
      await velosOk(['scale', 'web', '3'], { home });
      const scaled = await onlineRows(home, 'web', 3);
      for (const row of scaled) seenPids.add(row.pid!);
      await velosOk(['stop', 'web'], { home });
      await waitFor(async () => (await rowsNamed(home, 'web')).every((row) => row.status === 'stopped'), {
        message: 'web stopped',
      });
      await velosOk(['delete', 'web'], { home });
      const daemon = readPidFile(home);
      await waitFor(() => homeProcesses(home).every((proc) => proc.pid === daemon), {
        message: 'no process of the home left but the daemon',
      });
      expect(seenPids.alive()).toEqual([]);
    } finally {
      await poller.stop();
    }
  });
});
