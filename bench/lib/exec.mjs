// Runs one command and measures its wall time from spawn to exit.
import { spawn } from 'node:child_process';

/** How long to wait for stdout/stderr to close after exit: a daemon the command spawned may hold them. */
const STDIO_GRACE_MS = 2000;

/**
 * Spawns `file args`, captures stdout/stderr, and resolves with the exit code, signal, output and `ms`,
 * the wall time from just before spawn to the exit event. A command still running after `timeoutMs`
 * is killed by PID and the promise rejects.
 */
export function runCommand(file, args, { env = process.env, cwd, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    let closed = false;
    child.on('close', () => {
      closed = true;
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) child.kill('SIGKILL');
      reject(new Error(`${describe(file, args)} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      const finish = () => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({
          code,
          signal,
          ms,
          pid: child.pid,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      };
      if (closed) return finish();
      const grace = setTimeout(finish, STDIO_GRACE_MS);
      child.once('close', () => {
        clearTimeout(grace);
        finish();
      });
    });
  });
}

/** Like runCommand, but rejects when the exit code is not 0, with the command and its stderr. */
export async function runChecked(file, args, options) {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${describe(file, args)} exited ${result.code ?? result.signal}: ${detail}`);
  }
  return result;
}

function describe(file, args) {
  return [file.split('/').pop(), ...args].join(' ');
}
