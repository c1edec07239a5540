import {
  type AppSpec,
  ErrorCodes,
  isVelosError,
  type ProcessInfo,
  type VelosControl,
  VelosError,
} from '@velos/core';

/** What `startOrRestart`/`startOrReload` do with the apps of a file that already run. */
export type RunningAction = 'restart' | 'reload';

// Statuses in which an app counts as running (PM2: "online"), so it is restarted rather than started.
const RUNNING = new Set(['online', 'starting', 'stopping', 'waiting-restart', 'scheduled']);

/**
 * PM2's startOrRestart / startOrReload (and `start` of a PM2 process file): the apps of the file
 * that do not run are started (a stopped or errored one takes the file's spec); those that run are
 * restarted with the file's spec (stopped, then started; one the daemon refuses runs again as it
 * was), or reloaded one instance at a time with the file's environment (its `env` and `--env`
 * profile over this shell's, as a restart gives them). New apps start first, so a refused start
 * touches nothing.
 */
export async function startOrAct(
  client: Pick<VelosControl, 'list' | 'start' | 'stop' | 'restart' | 'reload'>,
  specs: AppSpec[],
  action: RunningAction,
): Promise<{ started: string[]; restarted: string[]; reloaded: string[] }> {
  const running = runningNames(await client.list());
  const live = specs.filter((spec) => running.has(spec.name));
  const idle = specs.filter((spec) => !running.has(spec.name));
  if (action === 'reload') {
    for (const spec of live) await client.reload(spec.name, { env: spec.env, ownEnv: spec.ownEnv ?? {} });
    if (idle.length > 0) await client.start(idle);
    return { started: names(idle), restarted: [], reloaded: names(live) };
  }
  // new apps first: a start the daemon refuses (a missing script…) then leaves every running app alone
  if (idle.length > 0) await client.start(idle);
  for (const spec of live) {
    try {
      // stopped and started with the new spec in the daemon, counted as a restart (as PM2 counts it)
      await client.start([spec], { replace: true });
    } catch (error) {
      if (!isVelosError(error) || error.code !== ErrorCodes.NAME_IN_USE) throw error;
      await restartByHand(client, spec);
    }
  }
  return { started: names(idle), restarted: names(live), reloaded: [] };
}

/** What a daemon from before `start`'s `replace` gets: a stop, then a start (not counted as a restart). */
async function restartByHand(client: Pick<VelosControl, 'start' | 'stop' | 'restart'>, spec: AppSpec) {
  await client.stop(spec.name);
  try {
    await client.start([spec]);
  } catch (error) {
    // refused before the app took the new spec: it runs again as it was
    await client.restart(spec.name);
    throw withNote(error, `${spec.name} runs again with its previous options`);
  }
}

function withNote(error: unknown, note: string): unknown {
  if (!isVelosError(error)) return error;
  return new VelosError(error.code, `${error.message} (${note})`, { data: error.data });
}

function runningNames(processes: ProcessInfo[]): Set<string> {
  return new Set(processes.filter((p) => RUNNING.has(p.status)).map((p) => p.name));
}

function names(specs: AppSpec[]): string[] {
  return specs.map((spec) => spec.name);
}
