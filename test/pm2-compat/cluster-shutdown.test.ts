import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/free-port.js';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  isAlive,
  listState,
  outLog,
  readLines,
  sharedHome,
  waitFor,
} from '../e2e/helpers.js';
import { PM2_FIXTURES, runScript } from './pm2-shim.js';

const APP = join(PM2_FIXTURES, 'cluster-shutdown.js');

afterEach(cleanupHomes);

/**
 * The online workers of `name` once there are `count`, each having written its first line, from the
 * daemon's list over its socket (a `pm2 jlist` each round would start bash, sh and the CLI: what the
 * shutdown did is under test here, not jlist's output).
 */
async function workers(home: string, name: string, count: number) {
  return waitFor(
    async () => {
      const list = (await listState(home))
        .filter((p) => p.name === name)
        .map((p) => ({ ...p, pid: p.pid ?? 0 }));
      return (
        list.length === count &&
        list.every((p) => p.status === 'online' && p.pid > 0) &&
        list.every((p) => linesOf(home, name).some((line) => line.startsWith(`worker ${p.pid} `))) &&
        list
      );
    },
    { message: `${count} ${name} workers online and listening` },
  );
}

function linesOf(home: string, name: string): string[] {
  return readLines(outLog(home, name));
}

/** The lines worker `pid` wrote. */
function linesOfPid(home: string, name: string, pid: number): string[] {
  return linesOf(home, name).filter((line) => line.startsWith(`worker ${pid} `));
}

/**
 * The daemon's log lines about app `name` (`process <id> (<name>) …`): in the home the tests share, whatever
 * ran before or beside a test (another test's SIGKILLed workers) is not its own.
 */
function daemonLogOf(home: string, name: string): string {
  return readLines(join(home, 'daemon.log'))
    .filter((line) => line.includes(`(${name})`))
    .join('\n');
}

async function ok(script: string, home: string) {
  const result = await runScript(script, home);
  expect(result.code, `${script}: ${result.stderr}`).toBe(0);
  return result;
}

// Issue #14: PM2's shutdown_with_message in cluster mode: the worker's process.on('message') gets
// 'shutdown' (no signal), then SIGKILL after kill_timeout if it is still there.
// One daemon for both tests: each runs an app of its own name on a port of its own, deletes it at its
// end and reads only the daemon log lines about its own app.
describe('shutdown_with_message in cluster mode', () => {
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it("stop, scale down and reload send the workers 'shutdown' instead of a signal", async () => {
    const home = shared();
    const port = await freePort();
    await ok(
      `PORT=${port} pm2 start ${APP} --name web -i 3 --shutdown-with-message --kill-timeout 20000`,
      home,
    );
    const first = await workers(home, 'web', 3);
    for (const p of first) expect(linesOfPid(home, 'web', p.pid)[0]).toContain('cluster worker true');

    // scale down: the highest instance is stopped by its message
    await ok('pm2 scale web 2', home);
    const removed = first[2]!.pid;
    await waitFor(() => !isAlive(removed), { message: `worker ${removed} gone` });
    expect(linesOfPid(home, 'web', removed)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('got message "shutdown"'),
        expect.stringContaining('closed'),
      ]),
    );

    // reload: each old worker leaves by 'shutdown' once its replacement listens
    await ok('pm2 reload web', home);
    const reloaded = await workers(home, 'web', 2);
    for (const old of first.slice(0, 2)) {
      expect(reloaded.map((p) => p.pid)).not.toContain(old.pid);
      await waitFor(() => !isAlive(old.pid), { message: `old worker ${old.pid} gone` });
      expect(linesOfPid(home, 'web', old.pid).join('\n')).toContain('got message "shutdown"');
    }

    // stop: every worker gets the message, and stops within its kill_timeout of 20 s without a signal
    await ok('pm2 stop web', home);
    for (const p of reloaded) {
      expect(isAlive(p.pid)).toBe(false);
      expect(linesOfPid(home, 'web', p.pid).join('\n')).toContain('closed');
    }
    expect(linesOf(home, 'web').join('\n')).not.toMatch(/got SIG/);
    expect(daemonLogOf(home, 'web')).not.toMatch(/SIGKILLed/);
    await deleteApps(home, ['web']);
  });

  it("a worker that ignores 'shutdown' is SIGKILLed after kill_timeout (ecosystem file)", async () => {
    const home = shared();
    const port = await freePort();
    const file = join(home, 'ecosystem.config.js');
    await ok(
      `cat > ${file} <<'EOF'
module.exports = { apps: [{ name: 'stubborn', script: ${JSON.stringify(APP)}, exec_mode: 'cluster', instances: 2,
  shutdown_with_message: true, kill_timeout: 800, env: { PORT: '${port}', IGNORE_SHUTDOWN: '1' } }] };
EOF
pm2 start ${file}`,
      home,
    );
    const before = await workers(home, 'stubborn', 2);
    await ok('pm2 restart stubborn', home);
    for (const p of before) {
      expect(isAlive(p.pid)).toBe(false);
      expect(linesOfPid(home, 'stubborn', p.pid).join('\n')).toContain('got message "shutdown"');
    }
    expect(linesOf(home, 'stubborn').join('\n')).not.toMatch(/got SIG/);
    expect(daemonLogOf(home, 'stubborn')).toMatch(
      /did not exit within 800 ms of the 'shutdown' message: SIGKILLed/,
    );
    // the new workers get the message too
    const after = await workers(home, 'stubborn', 2);
    await ok('pm2 delete stubborn', home);
    for (const p of after) {
      expect(isAlive(p.pid)).toBe(false);
      expect(linesOfPid(home, 'stubborn', p.pid).join('\n')).toContain('got message "shutdown"');
    }
  });
});
