import {
  type ComponentStatus,
  type DaemonHealth,
  type Dependency,
  describeMemoryGrowth,
  isRequestedRestart,
  type MemoryGrowth,
  type ProcessInfo,
  worstStatus,
} from '@velos/core';

/** One process's score (0-100) and what lowered it, one short phrase per issue. */
export interface ProcessScore {
  id: number;
  name: string;
  score: number;
  issues: string[];
}

/** `health_check`: the overall score and status, the daemon's status, and each process's score. */
export interface HealthReport {
  score: number;
  status: ComponentStatus;
  daemon: DaemonHealth;
  processes: ProcessScore[];
}

const DAEMON_SCORE: Record<ComponentStatus, number> = { healthy: 100, degraded: 70, unhealthy: 30 };
/** A process scoring at least this is healthy; below `DEGRADED_BELOW` it is unhealthy. */
const HEALTHY_FROM = 90;
const DEGRADED_BELOW = 50;
/** Lost by a process held back by its `depends_on`: it does not run, and may never. */
const WAITING_POINTS = 20;
/** Lost by a process launched but not online yet (a `wait_ready` app that sent no ready signal). */
const STARTING_POINTS = 10;
/** Lost by a process whose memory grows steadily without `max_memory`: a warning (degraded), not an error. */
const MEMORY_GROWTH_POINTS = 20;
/** A re-adopted run's end (reason `unknown`): a clean exit or a crash, nobody can tell (SUP-13). */
const UNKNOWN_EXIT = 'exit code unknown: re-adopted';

/**
 * Scores each process from its status, probe health, restarts, memory growth and last job run, and the
 * whole from the daemon's self-health and the processes: the overall score is the lower of the daemon's
 * score and the processes' mean; the status the worst of the daemon's and the worst process's. `waits`
 * gives the `depends_on` of the processes that wait for theirs (by id), to name what they wait for;
 * `growths` the processes whose memory grows without `max_memory` (an issue of the app, never of the
 * daemon).
 */
export function scoreHealth(
  daemon: DaemonHealth,
  processes: ProcessInfo[],
  waits: ReadonlyMap<number, readonly Dependency[]> = new Map(),
  growths: ReadonlyMap<number, MemoryGrowth> = new Map(),
): HealthReport {
  const scores = processes.map((p) => scoreProcess(p, waits.get(p.id), growths.get(p.id)));
  const mean = scores.length === 0 ? 100 : scores.reduce((sum, p) => sum + p.score, 0) / scores.length;
  const worst = Math.min(100, ...scores.map((p) => p.score));
  const processStatus: ComponentStatus =
    worst >= HEALTHY_FROM ? 'healthy' : worst >= DEGRADED_BELOW ? 'degraded' : 'unhealthy';
  const status = worstStatus([daemon.status, processStatus]);
  return {
    score: Math.round(Math.min(DAEMON_SCORE[daemon.status], mean)),
    status,
    daemon,
    processes: scores,
  };
}

/**
 * The score of one process: 100 less a penalty per issue, never below 0; `dependsOn` names what a
 * process that is `starting` without a pid waits for, `growth` how its memory grows without `max_memory`.
 */
export function scoreProcess(
  p: ProcessInfo,
  dependsOn?: readonly Dependency[],
  growth?: MemoryGrowth,
): ProcessScore {
  const issues: string[] = [];
  let score = 100;
  const lose = (points: number, issue: string) => {
    score -= points;
    issues.push(issue);
  };
  if (p.status === 'errored') lose(100, 'errored: restart budget spent');
  else if (p.status === 'waiting-restart') lose(50, `${loopName(p)}waiting to restart (${exitName(p)})`);
  else if (p.status === 'stopped' && p.type === 'service') lose(30, 'stopped');
  else if (p.status === 'starting' && p.pid === null && dependsOn && dependsOn.length > 0)
    lose(
      WAITING_POINTS,
      `not started: waiting for ${dependsOn.map((d) => `${d.name} (${d.condition})`).join(', ')}`,
    );
  else if (p.status === 'starting' && p.pid !== null) lose(STARTING_POINTS, 'starting: not online yet');
  // a restart asked for from outside (velos restart, reload, watch, cron) is no sign of trouble
  const unasked = p.restarts - Math.min(p.restarts, p.requestedRestarts ?? 0);
  if (p.unstableRestarts > 0)
    lose(Math.min(30, 10 * p.unstableRestarts), `${plural(p.unstableRestarts, 'unstable restart')} in a row`);
  else if (unasked > 0) {
    const isLastAsked = isRequestedRestart(p.lastExitReason);
    const why = p.lastExitReason && !isLastAsked ? `, last ${exitName(p)}` : '';
    lose(Math.min(20, 2 * unasked), `${plural(unasked, 'restart')}${why}`);
  }
  if (p.health) {
    const failure = p.health.lastFailure
      ? `: ${p.health.lastFailure.probe} ${p.health.lastFailure.reason}`
      : '';
    if (p.health.state === 'unhealthy') lose(50, `probe unhealthy${failure}`);
    else if (p.health.state === 'degraded') lose(20, `probe degraded${failure}`);
    if (!p.health.ready && p.status === 'online') lose(10, 'not ready');
  }
  if (growth) lose(MEMORY_GROWTH_POINTS, describeMemoryGrowth(growth));
  const last = p.job?.lastRun;
  if (last && (last.outcome === 'failed' || last.outcome === 'timeout' || last.outcome === 'spawn-error')) {
    lose(30, `last run ${last.outcome}${last.exitCode === null ? '' : ` (exit ${last.exitCode})`}`);
  }
  return { id: p.id, name: p.name, score: Math.max(0, score), issues };
}

/** The last exit's reason as the issues name it (a re-adopted run's is unknown, SUP-13). */
function exitName(p: ProcessInfo): string {
  if (p.lastExitReason === 'unknown') return UNKNOWN_EXIT;
  return p.lastExitReason ?? 'exit';
}

/** `1 restart`, `2 restarts`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * A loop only when the runs ended too soon in a row (unstable restarts), a crash loop only when they crashed;
 * a cluster worker ended by its primary's exits (`primary-exit`) is the primary's loop, not its own.
 */
function loopName(p: ProcessInfo): string {
  if (p.unstableRestarts === 0) return '';
  if (p.lastExitReason === 'crash') return 'crash loop: ';
  return p.lastExitReason === 'primary-exit' ? 'cluster primary exit loop: ' : 'restart loop: ';
}
