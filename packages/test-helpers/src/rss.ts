import { readFileSync } from 'node:fs';

/** Resident memory of a process in MiB, from `/proc/<pid>/status`. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Velos daemon's RSS (MiB) once what a load left is collected (the daemon runs a full collection a
 * second after a large release) and RSS stopped moving: from 1.5 s on, two readings 250 ms apart
 * within 0.5 MiB, at most 5 s more.
 */
export async function settledRssMb(pid: number): Promise<number> {
  await pause(1500);
  let last = rssMb(pid);
  for (let i = 0; i < 20; i += 1) {
    await pause(250);
    const now = rssMb(pid);
    if (Math.abs(now - last) < 0.5) return now;
    last = now;
  }
  return last;
}

/** RSS (MiB) once it is at most `limitMb`, polled every 250 ms; after `timeoutMs` (15 s), the last reading. */
export async function rssFallenToMb(pid: number, limitMb: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let now = rssMb(pid);
  while (now > limitMb && Date.now() < deadline) {
    await pause(250);
    now = rssMb(pid);
  }
  return now;
}
