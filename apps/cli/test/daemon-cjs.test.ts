import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempHome, SeenProcesses, type TempHome, waitFor } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';

const DAEMON = fileURLToPath(new URL('../dist/daemon.cjs', import.meta.url));
const VELOS = fileURLToPath(new URL('../bin/velos.js', import.meta.url));
const SILENT = fileURLToPath(new URL('../../../fixtures/silent.js', import.meta.url));
const homes: TempHome[] = [];
const seen = new SeenProcesses();

afterEach(async () => {
  seen.killAll();
  for (const home of homes.splice(0)) await home.cleanup();
});

/**
 * The built daemon on a new home, with `preload` (source) required first; its home and process. The
 * preload calls `dumpModules()` to write the built-in modules loaded so far: to a temporary file, then
 * renamed, so the test never reads the dump half-written (an empty read once failed CI).
 */
function startBuiltDaemon(preload: (home: string) => string): {
  home: string;
  daemon: ChildProcess;
  modules: () => Promise<string[]>;
} {
  if (!existsSync(DAEMON)) throw new Error(`${DAEMON} is missing: run pnpm build first`);
  const temp = makeTempHome('velos-daemon-cjs-');
  homes.push(temp);
  const home = temp.path;
  const dump = join(home, 'modules.txt');
  const preloadFile = join(home, 'dump.cjs');
  const dumpModules = `function dumpModules() {
    const fs = require('node:fs');
    fs.writeFileSync(${JSON.stringify(`${dump}.tmp`)}, process.moduleLoadList.join('\\n'));
    fs.renameSync(${JSON.stringify(`${dump}.tmp`)}, ${JSON.stringify(dump)});
  }\n`;
  writeFileSync(preloadFile, dumpModules + preload(home));
  const daemon = spawn(process.execPath, ['--require', preloadFile, DAEMON, 'daemon'], {
    env: { ...process.env, VELOS_HOME: home },
    stdio: 'ignore',
  });
  seen.add(daemon.pid);
  // the built-in modules the daemon had loaded when the preload wrote them
  const modules = () =>
    waitFor(() => existsSync(dump) && readFileSync(dump, 'utf8').split('\n'), 'the module list');
  return { home, daemon, modules };
}

describe('the built daemon (dist/daemon.cjs)', () => {
  it('runs as CommonJS and leaves fs/promises, readline, worker_threads, cluster, child_process, os and timers/promises unloaded while idle', async () => {
    // once the daemon listens, the preload writes the built-in modules it has loaded
    const { modules } = startBuiltDaemon(
      (home) => `const fs = require('node:fs');
       const timer = setInterval(() => {
         if (!fs.existsSync(${JSON.stringify(join(home, 'velos.sock'))})) return;
         clearInterval(timer);
         setTimeout(dumpModules, 300);
       }, 20);
       timer.unref();`,
    );
    const loaded = await modules();
    expect(loaded).toContain('NativeModule net');
    expect(loaded).not.toContain('NativeModule fs/promises');
    expect(loaded).not.toContain('NativeModule internal/readline/interface');
    expect(loaded).not.toContain('NativeModule worker_threads');
    // net's listen() loads cluster (and its four modules) to ask whether this is a worker: listen-pipe.ts
    expect(loaded).not.toContain('NativeModule cluster');
    // child_process (with dgram) loads with the first app: src/daemon-child-process.ts
    expect(loaded).not.toContain('NativeModule child_process');
    expect(loaded).not.toContain('NativeModule dgram');
    // os and timers/promises load with their first call: src/daemon-os.ts, src/daemon-timers-promises.ts
    expect(loaded).not.toContain('NativeModule os');
    expect(loaded).not.toContain('NativeModule timers/promises');
    // a namespace import of node:fs, copied in CommonJS, read fs.Dir: Node 24 loaded its module for it
    expect(loaded).not.toContain('NativeModule internal/fs/dir');
  });

  it('runs its first app without loading perf_hooks (the global `performance` cost 0.5–1.3 MB of RSS, issue 17)', async () => {
    // on SIGWINCH the preload writes the built-in modules the daemon has loaded
    const { home, daemon, modules } = startBuiltDaemon(() => `process.on('SIGWINCH', dumpModules);`);
    await waitFor(() => existsSync(join(home, 'velos.sock')), 'the daemon socket');
    const velos = (...args: string[]) =>
      spawnSync(process.execPath, [VELOS, ...args], {
        env: { ...process.env, VELOS_HOME: home },
        encoding: 'utf8',
      });
    expect(velos('start', SILENT, '--name', 'first').status).toBe(0);
    const appPid = await waitFor(() => {
      const rows = JSON.parse(velos('list', '--json').stdout) as { status: string; pid: number | null }[];
      return rows[0]?.status === 'online' && rows[0].pid;
    }, 'the app online');
    seen.add(appPid);
    daemon.kill('SIGWINCH');
    const loaded = await modules();
    expect(loaded).toContain('NativeModule child_process');
    expect(loaded).not.toContain('NativeModule perf_hooks');
  });

  it("keeps Node's child_process for its dependencies: OpenTelemetry's machine id of macOS, BSD and Windows loads", () => {
    // they promisify child_process.exec at load, which src/daemon-child-process.ts does not give
    const dist = dirname(DAEMON);
    const files = readdirSync(dist).filter((name) => /^getMachineId-(darwin|bsd|win)-\w+\.cjs$/.test(name));
    expect(files).toHaveLength(3);
    const load = createRequire(DAEMON);
    for (const name of files) {
      expect(typeof (load(join(dist, name)) as { getMachineId?: unknown }).getMachineId).toBe('function');
    }
  });

  it('carries msgpackr without its random-access structures, which the frame codec never turns on', () => {
    const dist = dirname(DAEMON);
    const others = ['cli.cjs', 'velos.cjs', 'velos-start.cjs', 'velos-complete.cjs', 'monit.cjs'];
    const files = readdirSync(dist).filter(
      (name) => name.endsWith('.cjs') && !name.endsWith('.cli.cjs') && !others.includes(name),
    );
    expect(files).toContain('daemon.cjs');
    const withStructs = files.filter((name) =>
      readFileSync(join(dist, name), 'utf8').includes('function createTypeTransition('),
    );
    expect(withStructs).toEqual([]);
  });
});
