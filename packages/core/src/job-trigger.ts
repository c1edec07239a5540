import type { ProcessInfo } from './process-info.js';

/** What a trigger did to one job (`what`: `run 3 started (pid 4242)`), and whether a run of it started. */
export interface TriggeredJob {
  id: number;
  name: string;
  what: string;
  hasStarted: boolean;
}

/**
 * What `trigger` did to each job it answered, told by its run count before (`runsBefore`, from a list
 * taken first): a run started, or one still going left alone, or a spawn that failed. The lines of
 * `velos trigger` and of the MCP tool `job_trigger`; `hasStarted` is false when none of them started a
 * run.
 */
export function describeTriggered(
  triggered: ProcessInfo[],
  runsBefore: ReadonlyMap<number, number>,
): { lines: string[]; hasStarted: boolean; jobs: TriggeredJob[] } {
  const jobs = triggered.map((p): TriggeredJob => {
    const of = (what: string, hasStarted = false) => ({ id: p.id, name: p.name, what, hasStarted });
    const last = p.job?.lastRun;
    if (!last) return of('not run');
    if ((p.job?.runs ?? 0) <= (runsBefore.get(p.id) ?? 0)) {
      return of(`run ${last.seq} is still going (pid ${last.pid ?? '-'}); not triggered`);
    }
    if (last.outcome === 'spawn-error')
      return of(`run ${last.seq} failed to start (see velos logs ${p.name} --err)`);
    return of(`run ${last.seq} started (pid ${last.pid ?? '-'})`, true);
  });
  return { lines: jobs.map((j) => `${j.name}: ${j.what}`), hasStarted: jobs.some((j) => j.hasStarted), jobs };
}
