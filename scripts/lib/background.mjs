// Runs a command beside the tests at the lowest CPU priority, so that it takes only the cores the tests leave
// idle (they mostly wait on daemons and children) and never slows a timing test. Used by `npm test` for the
// type check.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { root } from './bootstrap.mjs';

const LOWEST = 19;

/**
 * Starts `command args` in the repository root with its output in `logFile`, as nice as can be: nice 19 and,
 * as it leads a session of its own, its Linux scheduler autogroup too (with autogroups on, nice only ranks
 * processes within one session, and the daemons the tests start lead sessions of their own). Returns
 * a promise of `{ status, output, seconds }` once it has exited.
 */
export function startLowPriority(command, args, logFile) {
  const started = Date.now();
  const fd = openSync(logFile, 'w');
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  // before the child (pnpm, a Node process) has started, let alone forked what inherits its niceness
  try {
    setPriority(child.pid, LOWEST);
  } catch {}
  try {
    writeFileSync(`/proc/${child.pid}/autogroup`, String(LOWEST));
  } catch {}
  return new Promise((resolve) => {
    const done = (status) =>
      resolve({
        status,
        output: readFileSync(logFile, 'utf8'),
        seconds: Math.round((Date.now() - started) / 1000),
      });
    child.on('error', (error) => {
      writeFileSync(logFile, `cannot run ${command}: ${error.message}\n`, { flag: 'a' });
      done(1);
    });
    child.on('exit', (code) => done(code ?? 1));
  });
}
