import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, type Truthy, waitFor as waitForTruthy } from '@velos/test-helpers';
import { createLogPipeline, type LogPipeline, type LogPipelineOptions } from '../../src/logs/index.js';

export { fixture };

/** Polls `check` until it returns a truthy value or the deadline passes (30 s unless told). */
export function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<Truthy<T>> {
  return waitForTruthy(check, { what, timeoutMs, intervalMs: 20 });
}

/** Resolves when `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The lines of a log file (the final newline does not start an empty line). */
export async function fileLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** Index of the first entry of `lines` that differs from `expected(i)`, or -1; checks the length too. */
export function firstMismatch(
  lines: readonly string[],
  count: number,
  expected: (i: number) => string,
): number {
  for (let i = 0; i < count; i += 1) if (lines[i] !== expected(i)) return i;
  return lines.length === count ? -1 : count;
}

/**
 * Owns what a test creates: temp directories, children (killed by pid in teardown) and pipelines
 * (closed in teardown).
 */
export class Harness {
  readonly #children: ChildProcess[] = [];
  readonly #dirs: string[] = [];
  readonly #pipelines: LogPipeline[] = [];

  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'velos-logs-'));
    this.#dirs.push(dir);
    return dir;
  }

  /** Starts `node fixtures/<name>` with extra env, stdout and stderr piped. */
  spawn(name: string, env: Record<string, string> = {}): ChildProcess & { pid: number } {
    const child = spawn(process.execPath, [fixture(name)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.push(child);
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    return child as ChildProcess & { pid: number };
  }

  pipeline(options: LogPipelineOptions): LogPipeline {
    const pipeline = createLogPipeline(options);
    this.#pipelines.push(pipeline);
    return pipeline;
  }

  /** Attaches both pipes of `child` to `pipeline`. */
  capture(pipeline: LogPipeline, child: ChildProcess & { pid: number }): void {
    pipeline.attach(child.stdout!, 'out', child.pid);
    pipeline.attach(child.stderr!, 'err', child.pid);
  }

  async cleanup(): Promise<void> {
    for (const child of this.#children) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await Promise.all(this.#children.map(exited));
    await Promise.all(this.#pipelines.map((pipeline) => pipeline.close()));
    await Promise.all(this.#dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    this.#children.length = 0;
    this.#pipelines.length = 0;
    this.#dirs.length = 0;
  }
}
