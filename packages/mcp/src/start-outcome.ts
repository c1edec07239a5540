import type { AppSpec, LogLine, ProcessInfo, VelosControl } from '@velos/core';
import { toAiProcess } from '@velos/core/ai';
import { CRASH_READ_LINES, crashTail } from './crash-tail.js';

/** The longest uptime `process_start` waits for a process to run, whatever its `min_uptime`. */
export const START_SETTLE_MAX_MS = 3000;
/**
 * The longest `process_start` waits in all: a process that runs is waited for until it ran its
 * `min_uptime` (3 s at most) and one not spawned yet (a cluster worker until its primary forks it)
 * until it runs, however long a loaded machine takes to get them there; one that waits for its ready
 * signal (wait_ready), which may take up to its listen_timeout, only `START_SETTLE_MAX_MS`.
 */
export const START_WAIT_MAX_MS = 10_000;
/** How often the processes are looked at while `process_start` waits. */
const SETTLE_POLL_MS = 100;
/**
 * The longest the err log tail of a process that failed is waited for when none of it is there yet: a
 * cluster worker's exit comes through its primary, its output through its own pipes, and on a loaded
 * machine the exit was known before its last lines were read.
 */
const ERR_TAIL_WAIT_MS = 2000;

/** One started process as `process_start` answers it: compact, with how its first run ended when it did. */
export type StartOutcome = ReturnType<typeof toAiProcess> & {
  exit?: { code: number | null; sig?: string; why: string | null };
  tail?: string[];
};

/**
 * What the started processes became: waits until each ran `min_uptime` (at most
 * `START_SETTLE_MAX_MS`) or exited, so that an app that exits at once is not answered `on`; one that
 * exited gets `exit {code, sig, why}`, and the last lines of its err log when it failed.
 */
export async function settleStart(
  control: Pick<VelosControl, 'list' | 'logs'>,
  specs: readonly SettleSpec[],
  started: ProcessInfo[],
): Promise<StartOutcome[]> {
  const waits = new Map(
    specs.map((spec): [string, SettleWait] => [
      spec.name,
      {
        uptimeMs: Math.min(spec.minUptimeMs, START_SETTLE_MAX_MS),
        isDependent: spec.dependsOn.length > 0,
        isReadyWait: spec.waitReady === true,
      },
    ]),
  );
  const noWait: SettleWait = { uptimeMs: 0, isDependent: false, isReadyWait: false };
  const begun = Date.now();
  let current = started;
  for (;;) {
    // a wall-clock 3 s from the call answered `on` a process that had only just been spawned on a
    // loaded machine (u 0s), which then crashed: a process's own uptime is what is waited for
    const isPastReadyWait = Date.now() - begun >= START_SETTLE_MAX_MS;
    const isSettled = current.every((p, i) =>
      hasSettled(started[i]!, p, waits.get(p.name) ?? noWait, isPastReadyWait),
    );
    if (isSettled || Date.now() - begun >= START_WAIT_MAX_MS) break;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    const byId = new Map((await control.list()).map((p) => [p.id, p]));
    // a process deleted meanwhile keeps its last known row
    current = current.map((p) => byId.get(p.id) ?? p);
  }
  return Promise.all(current.map((p, i) => withExit(control, started[i]!, p)));
}

/** What `settleStart` reads of an app's spec (`waitReady` absent: false). */
export type SettleSpec = Pick<AppSpec, 'name' | 'minUptimeMs' | 'dependsOn'> &
  Partial<Pick<AppSpec, 'waitReady'>>;

/** How the processes of one app are waited for. */
interface SettleWait {
  /** Its min_uptime, at most `START_SETTLE_MAX_MS`. */
  uptimeMs: number;
  /** It has depends_on: starting without a pid, it is held back, with nothing of it running to wait for. */
  isDependent: boolean;
  /** wait_ready: starting with a pid, it waits for its ready signal, which may take up to its listen_timeout. */
  isReadyWait: boolean;
}

/**
 * Whether a started process has exited since, or ran long enough to count as up, or is held back by
 * its `depends_on`, or has waited for its ready signal as long as the call waits for one
 * (`isPastReadyWait`). A process starting otherwise is on its way (a cluster worker starts without a
 * pid until its primary forks it, and with one until its Node is up) and is waited for.
 */
function hasSettled(
  before: ProcessInfo,
  now: ProcessInfo,
  wait: SettleWait,
  isPastReadyWait: boolean,
): boolean {
  if (now.type === 'job' || hasExited(before, now)) return true;
  if (now.status === 'online') return now.uptime >= wait.uptimeMs;
  if (now.status === 'starting')
    return now.pid === null ? wait.isDependent : wait.isReadyWait && isPastReadyWait;
  return isPastReadyWait;
}

/** Whether the run `process_start` began has ended: another status, another run, or a restart counted. */
function hasExited(before: ProcessInfo, now: ProcessInfo): boolean {
  if (now.status === 'waiting-restart' || now.status === 'errored' || now.status === 'stopped') return true;
  if (now.restarts > before.restarts) return true;
  return before.pid !== null && now.pid !== null && now.pid !== before.pid;
}

/** The compact row, with the exit of a run that ended and the err log tail of one that failed. */
async function withExit(
  control: Pick<VelosControl, 'logs'>,
  before: ProcessInfo,
  now: ProcessInfo,
): Promise<StartOutcome> {
  const row: StartOutcome = toAiProcess(now);
  if (now.type === 'job' || !hasExited(before, now) || now.lastExitReason === null) return row;
  row.exit = {
    code: now.exitCode,
    ...(now.signal === null ? {} : { sig: now.signal }),
    why: now.lastExitReason,
  };
  if (now.exitCode === 0 && now.signal === null) return row;
  const lines = await errTailOf(control, now.id);
  if (lines.length > 0) row.tail = crashTail(lines.map((line) => line.line));
  return row;
}

/** The last lines of process `id`'s err log, waited for up to `ERR_TAIL_WAIT_MS` while there are none. */
async function errTailOf(control: Pick<VelosControl, 'logs'>, id: number): Promise<LogLine[]> {
  const deadline = Date.now() + ERR_TAIL_WAIT_MS;
  for (;;) {
    const lines = await control
      .logs({ target: String(id), lines: CRASH_READ_LINES, stream: 'err' })
      .catch(() => []);
    if (lines.length > 0 || Date.now() >= deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}
