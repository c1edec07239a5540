import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const DAEMON = fileURLToPath(new URL('../dist/daemon.cjs', import.meta.url));
const homes: string[] = [];
const pids: number[] = [];

afterEach(() => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the built daemon (dist/daemon.cjs)', () => {
  it('runs as CommonJS and leaves fs/promises, readline and worker_threads unloaded while idle', async () => {
    if (!existsSync(DAEMON)) throw new Error(`${DAEMON} is missing: run pnpm build first`);
    const home = mkdtempSync(join(tmpdir(), 'velos-daemon-cjs-'));
    homes.push(home);
    const dump = join(home, 'modules.txt');
    // once the daemon listens, the preload writes the built-in modules it has loaded
    const preload = join(home, 'dump.cjs');
    writeFileSync(
      preload,
      `const fs = require('node:fs');
       const timer = setInterval(() => {
         if (!fs.existsSync(${JSON.stringify(join(home, 'velos.sock'))})) return;
         clearInterval(timer);
         setTimeout(() => fs.writeFileSync(${JSON.stringify(dump)}, process.moduleLoadList.join('\\n')), 300);
       }, 20);
       timer.unref();`,
    );
    const child = spawn(process.execPath, ['--require', preload, DAEMON, 'daemon'], {
      env: { ...process.env, VELOS_HOME: home },
      stdio: 'ignore',
    });
    if (child.pid) pids.push(child.pid);
    const loaded = await until(
      () => (existsSync(dump) ? readFileSync(dump, 'utf8').split('\n') : undefined),
      'the module list',
    );
    expect(loaded).toContain('NativeModule net');
    expect(loaded).not.toContain('NativeModule fs/promises');
    expect(loaded).not.toContain('NativeModule internal/readline/interface');
    expect(loaded).not.toContain('NativeModule worker_threads');
  });
});
