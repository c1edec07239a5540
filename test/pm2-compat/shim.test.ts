import { createClient } from '@velos/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  cleanupHomes,
  createHome,
  HARNESS_ERROR_CODES,
  homeProcesses,
  listState,
  waitFor,
} from '../e2e/helpers.js';
import { allOnline, jlistWhen, pm2, runScript } from './pm2-shim.js';

afterEach(cleanupHomes);

/**
 * Waits until the daemon's list (over its socket: where `pm2 jlist`'s output is not what the test reads)
 * has `count` rows, all online with a pid, and returns them.
 */
function onlineState(home: string, count: number) {
  return waitFor(
    async () => {
      const rows = await listState(home);
      return allOnline(count)(rows) && rows;
    },
    { message: `${count} processes online` },
  );
}

/** The pid of the home's daemon, from its `ping` over the socket. */
async function daemonPid(home: string): Promise<number> {
  const client = createClient({ home, autoStart: false, timeoutMs: 20_000 });
  try {
    return (await client.ping()).pid;
  } finally {
    await client.close().catch(() => undefined);
  }
}

// A deploy script's health check, as written for PM2: jlist piped into node, exit 1 unless all online.
const ALL_ONLINE = `pm2 jlist | node -e '
  const list = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const p of list) console.log(p.name + ":" + p.pm_id + ":" + p.pm2_env.status + ":" + p.pm2_env.exec_mode);
  process.exit(list.length > 0 && list.every((p) => p.pm2_env.status === "online") ? 0 : 1);
'`;

describe('a pm2 executable that runs velos', () => {
  it("runs PM2's documented command sequence as a deploy script does", async () => {
    const home = createHome();
    // from PM2's quick start: start, list, jlist, restart, reload, logs, stop, delete, save, kill, resurrect
    const start = await runScript(
      [
        'pm2 start app.js --name api -i 2',
        'pm2 start signal-logger.js --name worker',
        'pm2 list',
        'pm2 ls',
        'pm2 status',
      ].join('\n'),
      home,
    );
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('api');

    const before = await onlineState(home, 3);
    const health = await runScript(ALL_ONLINE, home);
    expect(health.code, health.stderr).toBe(0);
    expect(health.stdout.trim().split('\n').sort()).toEqual([
      'api:0:online:cluster_mode',
      'api:1:online:cluster_mode',
      'worker:2:online:fork_mode',
    ]);

    const steps = await runScript(
      [
        'pm2 restart api',
        'pm2 reload all',
        'pm2 scale api 3',
        'test "$(pm2 id api)" = "[ 0, 1, 3 ]"',
        'pm2 scale api 2',
        'pm2 ping | grep -q "velos daemon"',
        'pm2 restart api worker --update-env',
        'pm2 logs api --lines 20 --nostream > "$VELOS_HOME/logs.txt"',
        'test -s "$VELOS_HOME/logs.txt"',
        // the restart's two instances print their "listening" line when they get to it, which may be just
        // after the flush: the flushed file holds at most those two lines of everything it held before
        'before=$(wc -l < "$VELOS_HOME/logs/api-out.log")',
        'pm2 flush api',
        'test "$(wc -l < "$VELOS_HOME/logs/api-out.log")" -le 2',
        'test "$before" -gt 2',
        'pm2 reloadLogs',
        'pm2 describe worker > /dev/null',
        'pm2 stop 0',
        'test "$(pm2 pid api | head -1)" = 0',
        'pm2 save',
        'pm2 delete all',
        'test "$(pm2 jlist)" = "[]"',
        'pm2 resurrect',
        'pm2 restart all',
      ].join('\n'),
      home,
    );
    expect(steps.code, steps.stderr).toBe(0);
    const after = await jlistWhen(home, allOnline(3), 'the resurrected apps online');
    expect(after.map((p) => p.pm2_env.status)).toEqual(['online', 'online', 'online']);
    expect(after.map((p) => [p.pm_id, p.name])).toEqual(before.map((p) => [p.id, p.name]));
    expect(after.map((p) => p.pid)).not.toEqual(before.map((p) => p.pid));

    const end = await runScript('pm2 kill', home);
    expect(end.code, end.stderr).toBe(0);
    expect(end.stdout).toMatch(/stopped 3 processes and the daemon/);

    // pm2 startup's -u <user> and --hp <home> (printed, nothing installed)
    const unit = await runScript('pm2 startup systemd -u deploy --hp /home/deploy --print', home);
    expect(unit.code, unit.stderr).toBe(0);
    expect(unit.stdout).toContain('User=deploy');
    expect(unit.stdout).toContain('/home/deploy/.velos');
  });

  // one daemon for both: a script that fails on a bad target runs after the update's checks
  it('update replaces the daemon: fork-mode and cluster apps keep their pids; a target that matches nothing fails the script with one line, as pm2 does', async () => {
    const home = createHome();
    const started = await runScript(
      'pm2 start signal-logger.js --name keep\npm2 start app.js --name web -i 2',
      home,
    );
    expect(started.code, started.stderr).toBe(0);
    const before = await onlineState(home, 3);
    const pidBefore = await daemonPid(home);

    const update = await pm2(['update'], home);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toMatch(/daemon replaced: pid \d+ .* 3 processes kept running\n$/);
    expect(update.stderr).toBe('');
    expect(await daemonPid(home)).not.toBe(pidBefore);

    const after = await jlistWhen(home, allOnline(3), 'all online after update');
    expect(after.map((p) => p.pm2_env.status)).toEqual(['online', 'online', 'online']);
    const pidOf = (list: { name: string; pid: number | null }[], name: string) =>
      list.filter((p) => p.name === name).map((p) => p.pid);
    expect(pidOf(after, 'keep')).toEqual(pidOf(before, 'keep'));
    expect(pidOf(after, 'web')).toEqual(pidOf(before, 'web'));

    const result = await runScript('pm2 start app.js --name api\npm2 restart apii\necho unreachable', home);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('unreachable');
    expect(result.stderr.trim().split('\n')).toEqual([
      "velos: no process matches 'apii' (did you mean 'api'?)",
    ]);
  });

  // A test body that outlived its timeout goes on while vitest tears its home down (and, in a worker
  // that runs the next file, long after): its scripts must neither outlive the teardown nor start later.
  it('stops by PID a script in flight when the home is torn down, and refuses one started after', async () => {
    const home = createHome();
    const inFlight = runScript('sleep 300', home);
    await waitFor(() => homeProcesses(home).some((p) => p.cmdline.join(' ') === 'sleep 300'), {
      message: 'the script',
    });
    await cleanupHome(home);
    expect((await inFlight).signal).toBe('SIGKILL');
    expect(homeProcesses(home)).toEqual([]);
    await expect(pm2(['start', 'app.js'], home)).rejects.toMatchObject({
      code: HARNESS_ERROR_CODES.HOME_CLOSED,
    });
  });
});
