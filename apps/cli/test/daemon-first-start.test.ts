import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const DAEMON = fileURLToPath(new URL('../dist/daemon.cjs', import.meta.url));
const VELOS = fileURLToPath(new URL('../bin/velos.js', import.meta.url));
const SILENT = fileURLToPath(new URL('../../../fixtures/silent.js', import.meta.url));
const homes: string[] = [];
const pids: number[] = [];

afterEach(() => {
  for (const pid of pids.splice(0).reverse()) {
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

describe('the built daemon on its first start (issue 17)', () => {
  it('runs an app without loading perf_hooks (the global `performance` cost 0.5–1.3 MB of RSS)', async () => {
    if (!existsSync(DAEMON)) throw new Error(`${DAEMON} is missing: run pnpm build first`);
    const home = mkdtempSync(join(tmpdir(), 'velos-first-start-'));
    homes.push(home);
    const dump = join(home, 'modules.txt');
    // on SIGWINCH the preload writes the built-in modules the daemon has loaded
    const preload = join(home, 'dump.cjs');
    writeFileSync(
      preload,
      `process.on('SIGWINCH', () => require('node:fs').writeFileSync(${JSON.stringify(dump)}, process.moduleLoadList.join('\\n')));`,
    );
    const daemon = spawn(process.execPath, ['--require', preload, DAEMON, 'daemon'], {
      env: { ...process.env, VELOS_HOME: home },
      stdio: 'ignore',
    });
    if (daemon.pid) pids.push(daemon.pid);
    await until(() => (existsSync(join(home, 'velos.sock')) ? true : undefined), 'the daemon socket');
    const velos = (...args: string[]) =>
      spawnSync(process.execPath, [VELOS, ...args], {
        env: { ...process.env, VELOS_HOME: home },
        encoding: 'utf8',
      });
    expect(velos('start', SILENT, '--name', 'first').status).toBe(0);
    const appPid = await until(() => {
      const rows = JSON.parse(velos('list', '--json').stdout) as { status: string; pid: number | null }[];
      return rows[0]?.status === 'online' && rows[0].pid ? rows[0].pid : undefined;
    }, 'the app online');
    pids.push(appPid);
    daemon.kill('SIGWINCH');
    const loaded = await until(
      () => (existsSync(dump) ? readFileSync(dump, 'utf8').split('\n') : undefined),
      'the module list',
    );
    expect(loaded).toContain('NativeModule child_process');
    expect(loaded).not.toContain('NativeModule perf_hooks');
    velos('kill');
  });
});
