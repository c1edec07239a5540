import type { AppSpec, ProcessInfo, VelosControl } from '@velos/core';

/** What `startOrRestart`/`startOrReload` do with the apps of a file that already run. */
export type RunningAction = 'restart' | 'reload';

// Statuses in which an app counts as running (PM2: "online"), so it is restarted rather than started.
const RUNNING = new Set(['online', 'starting', 'stopping', 'waiting-restart', 'scheduled']);

/**
 * PM2's startOrRestart / startOrReload (and `start` of a PM2 process file): the apps of the file
 * that do not run are started (a stopped or errored one takes the file's spec); those that run are
 * restarted with the file's spec (stopped, then started), or reloaded one instance at a time.
 */
export async function startOrAct(
  client: Pick<VelosControl, 'list' | 'start' | 'stop' | 'reload'>,
  specs: AppSpec[],
  action: RunningAction,
  options: { env?: Record<string, string> } = {},
): Promise<{ started: string[]; restarted: string[]; reloaded: string[] }> {
  const running = runningNames(await client.list());
  const live = specs.filter((spec) => running.has(spec.name));
  const idle = specs.filter((spec) => !running.has(spec.name));
  if (action === 'reload') {
    for (const spec of live) await client.reload(spec.name, options.env ? { env: options.env } : undefined);
    if (idle.length > 0) await client.start(idle);
    return { started: names(idle), restarted: [], reloaded: names(live) };
  }
  for (const spec of live) await client.stop(spec.name);
  await client.start(specs);
  return { started: names(idle), restarted: names(live), reloaded: [] };
}

function runningNames(processes: ProcessInfo[]): Set<string> {
  return new Set(processes.filter((p) => RUNNING.has(p.status)).map((p) => p.name));
}

function names(specs: AppSpec[]): string[] {
  return specs.map((spec) => spec.name);
}
