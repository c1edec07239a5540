// Readers of /proc (Linux) and PID-based process control: nothing here ever kills by name.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from './wait.mjs';

const CLOCK_TICKS = readClockTicks();

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status), or null if it is gone. */
export function readRssBytes(pid) {
  const status = readProc(pid, 'status');
  const match = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** CPU time (user + system) a process has used so far, in seconds, or null if it is gone. */
export function readCpuSeconds(pid) {
  const fields = statFields(pid);
  if (!fields) return null;
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid) {
  const fields = statFields(pid);
  return fields !== null && fields[0] !== 'Z';
}

/** True when the process was started with `name=value` in its environment (how the harness marks its own). */
export function hasEnvMarker(pid, name, value) {
  const environ = readProc(pid, 'environ');
  return environ?.split('\0').includes(`${name}=${value}`) ?? false;
}

/** PIDs of live processes started with `name=value` in their environment (a scan of /proc). */
export function findMarkedPids(name, value) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isAlive(pid) && hasEnvMarker(pid, name, value));
}

/** Reads a pid file; null when missing or not a positive integer. */
export function readPidFile(path) {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Sends a signal to one PID, ignoring a process that is already gone; true if it was delivered. */
export function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the given PIDs: SIGTERM, up to `graceMs` for them to exit, then SIGKILL for the rest.
 * Returns the PIDs that needed SIGKILL.
 */
export async function stopPids(pids, { graceMs = 5000 } = {}) {
  const alive = [...new Set(pids)].filter((pid) => pid > 0 && isAlive(pid));
  for (const pid of alive) signalPid(pid, 'SIGTERM');
  const remaining = () => alive.filter(isAlive);
  try {
    await waitFor(() => remaining().length === 0, {
      timeoutMs: graceMs,
      intervalMs: 25,
      what: 'processes to exit',
    });
    return [];
  } catch {
    const stubborn = remaining();
    for (const pid of stubborn) signalPid(pid, 'SIGKILL');
    await waitFor(() => remaining().length === 0, { timeoutMs: 5000, intervalMs: 25, what: 'SIGKILL' }).catch(
      () => {},
    );
    return stubborn;
  }
}

/**
 * Samples the RSS of `pid` every `intervalMs` until two consecutive samples differ by less than
 * `tolerance` (relative), or `timeoutMs` passes; returns the last sample in bytes.
 */
export async function readSettledRss(pid, { intervalMs = 250, timeoutMs = 6000, tolerance = 0.01 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let previous = readRssBytes(pid);
  if (previous === null) throw new Error(`process ${pid} is gone`);
  while (performance.now() < deadline) {
    await delay(intervalMs);
    const current = readRssBytes(pid);
    if (current === null) throw new Error(`process ${pid} is gone`);
    if (Math.abs(current - previous) <= tolerance * previous) return current;
    previous = current;
  }
  return previous;
}

function statFields(pid) {
  const stat = readProc(pid, 'stat');
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : null;
}

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

function readClockTicks() {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
