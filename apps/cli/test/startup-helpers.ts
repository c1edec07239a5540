import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  homePids,
  killPid,
  killSpawned,
  runNode,
  SeenProcesses,
  waitFor as waitForTruthy,
} from '@velos/test-helpers';

/** The built `velos` binary and the full CLI it loads. */
export const BIN = fileURLToPath(new URL('../bin/velos.js', import.meta.url));
export const DIST = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));

/** How a spawned program ended. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Temp dirs and processes of one test, removed and killed (by pid) by `cleanup`. */
export class Scratch {
  readonly children: ChildProcess[] = [];
  /** Processes a test saw (its apps), killed by `cleanup` while they still run. */
  readonly pids = new SeenProcesses();
  private readonly dirs: string[] = [];

  dir(prefix = 'velos-su-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(dir, 0o755);
    this.dirs.push(dir);
    return dir;
  }

  /** A directory holding one fake program `name` (a shell script with `body`). */
  fakeProgram(name: string, body: string): string {
    const bin = this.dir('velos-bin-');
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return bin;
  }

  /**
   * A path of this Node binary that another user may run: `process.execPath` when every directory on
   * the way lets others through, else a hard link (or a copy) in a scratch directory. A Node 24 from
   * the registry package lives in root's 0700 home (scripts/test-node24.mjs), out of "nobody"'s reach.
   */
  nodeForOthers(): string {
    const node = process.execPath;
    const isOpen = (path: string): boolean => (statSync(path).mode & 0o001) !== 0;
    let isReachable = isOpen(node);
    for (let dir = dirname(node); isReachable && dir !== dirname(dir); dir = dirname(dir)) {
      isReachable = isOpen(dir);
    }
    if (isReachable) return node;
    const copy = join(this.dir('velos-node-'), 'node');
    try {
      linkSync(node, copy);
    } catch {
      copyFileSync(node, copy);
      chmodSync(copy, 0o755);
    }
    return copy;
  }

  /** Runs `node <file> args…` to its end (cwd `/`, NO_COLOR set; killed by PID after 30 s). */
  async run(
    file: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    options: { uid?: number; gid?: number; node?: string } = {},
  ): Promise<Run> {
    const { code, stdout, stderr } = await runNode(file, args, {
      cwd: '/',
      env: { ...process.env, NO_COLOR: '1', ...env },
      ...options,
    });
    return { code, stdout, stderr };
  }

  /** Kills every child and recorded pid (and a daemon recorded in `home/velos.pid`), removes the dirs. */
  cleanup(homes: string[] = []): void {
    killSpawned();
    // a daemon recorded in a home's pid file, while that pid is still the home's process (homePids)
    for (const home of homes) for (const pid of homePids(home)) killPid(pid);
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.pids.killAll();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a truthy value; throws with `what` after `timeoutMs` (30 s unless told). */
export function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000) {
  return waitForTruthy(check, what, timeoutMs);
}

/** Runs a program to its end (a validator: systemd-analyze, docker-compose); a clear error when it is absent. */
export function runTool(
  scratch: Scratch,
  file: string,
  args: string[],
  cwd: string,
  pkg: string,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    scratch.children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${file} is not installed: it comes with the Debian package "${pkg}" (.ci/run installs it)`,
            )
          : error,
      ),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
