import { createRequire } from 'node:module';
import { types } from 'node:util';
import { runInNewContext } from 'node:vm';
import { ErrorCodes, VelosError } from '@velos/core';
import { importSettled } from './import-settled.js';

/** The environment variable that bounds the run of a JavaScript process file (milliseconds). */
export const EVAL_TIMEOUT_VARIABLE = 'VELOS_CONFIG_EVAL_TIMEOUT_MS';
/** A process file that has not finished running after this long is refused (`VELOS_CONFIG_EVAL_TIMEOUT_MS`). */
export const DEFAULT_EVAL_TIMEOUT_MS = 10_000;

/** `VELOS_CONFIG_EVAL_TIMEOUT_MS` when a positive integer, else 10 s. */
export function evalTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[EVAL_TIMEOUT_VARIABLE]);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_EVAL_TIMEOUT_MS;
}

/**
 * Runs a PM2 JavaScript process file and resolves with its module namespace (`default` is a CommonJS
 * file's `module.exports`). A file that loops for ever at the top level (`while (true) {}`) would hang
 * the command without a word: the file runs under a bound (INVALID_CONFIG once it is over, nothing
 * started). The common file (CommonJS, or an ES module without top-level await, which `require` runs
 * on Node ≥ 20.19) runs in this process under `vm`'s timeout, a watchdog thread of V8's that costs
 * nothing measurable; an ES module `require` cannot run (top-level await, an older Node) runs in a
 * worker thread (~80 ms of CPU more) that is ended at the bound. What the file prints goes to stderr
 * either way: stdout is the command's own (`--json`).
 */
export async function evaluateProcessFile(file: string, label: string): Promise<Record<string, unknown>> {
  const timeoutMs = evalTimeoutMs();
  const restore = stdoutToStderr();
  try {
    let loaded: unknown;
    try {
      loaded = runInNewContext('load()', { load: () => createRequire(file)(file) }, { timeout: timeoutMs });
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw tooSlow(label, timeoutMs);
      if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') {
        return await importInWorker(file, label, timeoutMs);
      }
      throw error;
    }
    return types.isModuleNamespaceObject(loaded) ? (loaded as Record<string, unknown>) : { default: loaded };
  } finally {
    restore();
  }
}

function tooSlow(label: string, timeoutMs: number): VelosError {
  const seconds = Number((timeoutMs / 1000).toFixed(3));
  return new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${label}: did not finish evaluating within ${seconds} s (a loop that never ends at its top level?); nothing was started (${EVAL_TIMEOUT_VARIABLE} sets the bound)`,
    { data: { timeoutMs } },
  );
}

/** The worker's program: imports the file and posts its namespace, or its error, back. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData).then(
  (namespace) => {
    try {
      parentPort.postMessage({ namespace: { ...namespace } });
    } catch {
      parentPort.postMessage({ uncloneable: true });
    }
  },
  (error) => {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ error: { name: e.name, message: e.message, stack: e.stack } });
  },
);
`;

interface WorkerAnswer {
  namespace?: Record<string, unknown>;
  uncloneable?: boolean;
  error?: { name: string; message: string; stack?: string };
}

/**
 * Imports an ES module in a worker thread, ended after `timeoutMs`. A worker whose event loop ran dry
 * without an answer had a top-level await nothing settles. A file that exports what a thread cannot
 * copy (a function) finished in time: it is imported here again.
 */
async function importInWorker(
  file: string,
  label: string,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const { pathToFileURL } = await import('node:url');
  const threads = await import('node:worker_threads');
  const href = pathToFileURL(file).href;
  const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
    // process.env is the command's: what the file sets there is seen by the apps it starts
    const worker = new threads.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: href,
      env: threads.SHARE_ENV,
      stdout: true,
    });
    worker.stdout.pipe(process.stderr, { end: false });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(tooSlow(label, timeoutMs));
    }, timeoutMs);
    const done = () => clearTimeout(timer);
    worker.once('message', (message: WorkerAnswer) => {
      done();
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', (error) => {
      done();
      reject(error);
    });
    worker.once('exit', () => {
      done();
      reject(
        new VelosError(
          ErrorCodes.INVALID_CONFIG,
          `${label}: never finished loading: a top-level await waits for a promise that nothing is left to settle (no timer, I/O or callback pending), so it exports no apps`,
        ),
      );
    });
  });
  if (answer.uncloneable) return importSettled(href, label);
  if (answer.error) {
    const error = new Error(answer.error.message);
    error.name = answer.error.name;
    if (answer.error.stack !== undefined) error.stack = answer.error.stack;
    throw error;
  }
  return answer.namespace ?? {};
}

/** Sends what is written to stdout to stderr until the returned function is called. */
function stdoutToStderr(): () => void {
  const stdout = process.stdout;
  const write = Object.getOwnPropertyDescriptor(stdout, 'write');
  stdout.write = ((...args: Parameters<typeof process.stderr.write>) =>
    process.stderr.write(...args)) as typeof stdout.write;
  return () => {
    if (write) Object.defineProperty(stdout, 'write', write);
    else delete (stdout as { write?: unknown }).write;
  };
}
