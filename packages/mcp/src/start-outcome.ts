import type { AppSpec, ProcessInfo, VelosControl } from '@velos/core';
import { toAiProcess } from '@velos/core/ai';

/** The longest `process_start` waits for its processes to settle, whatever their `min_uptime`. */
export const START_SETTLE_MAX_MS = 3000;
/** How often the processes are looked at while `process_start` waits. */
const SETTLE_POLL_MS = 100;
/** Lines of the err log a process that crashed at once brings along, and characters kept of each. */
const ERR_TAIL_LINES = 5;
const ERR_TAIL_LINE_CHARS = 300;

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
  specs: readonly Pick<AppSpec, 'name' | 'minUptimeMs' | 'dependsOn'>[],
  started: ProcessInfo[],
): Promise<StartOutcome[]> {
  const uptimeMsOf = new Map(
    specs.map((spec) => [spec.name, Math.min(spec.minUptimeMs, START_SETTLE_MAX_MS)]),
  );
  const dependent = new Set(specs.filter((spec) => spec.dependsOn.length > 0).map((spec) => spec.name));
  const deadline = Date.now() + START_SETTLE_MAX_MS;
  let current = started;
  for (;;) {
    const isSettled = current.every((p, i) =>
      hasSettled(started[i]!, p, uptimeMsOf.get(p.name) ?? 0, dependent.has(p.name)),
    );
    if (isSettled || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    const byId = new Map((await control.list()).map((p) => [p.id, p]));
    // a process deleted meanwhile keeps its last known row
    current = current.map((p) => byId.get(p.id) ?? p);
  }
  return Promise.all(current.map((p, i) => withExit(control, started[i]!, p)));
}

/**
 * Whether a started process has exited since, or ran long enough to count as up, or is held back by
 * its `depends_on` (`isDependent`: starting without a pid, nothing of it runs yet to wait for; a
 * cluster worker is starting without a pid too, until its primary forks it, and is waited for).
 */
function hasSettled(before: ProcessInfo, now: ProcessInfo, uptimeMs: number, isDependent: boolean): boolean {
  if (now.type === 'job' || hasExited(before, now)) return true;
  if (isDependent && now.status === 'starting' && now.pid === null) return true;
  return now.status === 'online' && now.uptime >= uptimeMs;
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
  const lines = await control
    .logs({ target: String(now.id), lines: ERR_TAIL_LINES, stream: 'err' })
    .catch(() => []);
  if (lines.length > 0) row.tail = lines.map((line) => line.line.slice(0, ERR_TAIL_LINE_CHARS));
  return row;
}
