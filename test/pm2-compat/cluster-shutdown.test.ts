import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/free-port.js';
import { cleanupHomes, createHome, isAlive, outLog, readLines, waitFor } from '../e2e/helpers.js';
import { parsePm2List } from './pm2-jlist-shape.js';
import { PM2_FIXTURES, pm2, runScript } from './pm2-shim.js';

const APP = join(PM2_FIXTURES, 'cluster-shutdown.js');

afterEach(cleanupHomes);

/** The online workers of `name` once there are `count`, from `pm2 jlist`. */
async function workers(home: string, name: string, count: number) {
  return waitFor(
    async () => {
      const list = parsePm2List((await pm2(['jlist'], home)).stdout).filter((p) => p.name === name);
      return (
        list.length === count &&
        list.every((p) => p.pm2_env.status === 'online' && p.pid > 0) &&
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

function daemonLog(home: string): string {
  return readLines(join(home, 'daemon.log')).join('\n');
}

async function ok(script: string, home: string) {
  const result = await runScript(script, home);
  expect(result.code, `${script}: ${result.stderr}`).toBe(0);
  return result;
}

// Issue #14: PM2's shutdown_with_message in cluster mode: the worker's process.on('message') gets
// 'shutdown' (no signal), then SIGKILL after kill_timeout if it is still there.
describe('shutdown_with_message in cluster mode', () => {
  it("stop, scale down and reload send the workers 'shutdown' instead of a signal", async () => {
    const home = createHome();
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
    expect(daemonLog(home)).not.toMatch(/SIGKILLed/);
  });

  it("a worker that ignores 'shutdown' is SIGKILLed after kill_timeout (ecosystem file)", async () => {
    const home = createHome();
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
    expect(daemonLog(home)).toMatch(/did not exit within 800 ms of the 'shutdown' message: SIGKILLed/);
    // the new workers get the message too
    const after = await workers(home, 'stubborn', 2);
    await ok('pm2 delete stubborn', home);
    for (const p of after) {
      expect(isAlive(p.pid)).toBe(false);
      expect(linesOfPid(home, 'stubborn', p.pid).join('\n')).toContain('got message "shutdown"');
    }
  });
});
