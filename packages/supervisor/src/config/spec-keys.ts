import type { AppSpec } from '@velos/core';
import { stableJson } from './spec-diff.js';

/**
 * What a change of one spec key needs, from least to most:
 * - `policy`: read from the spec when it is used (a stop, an exit, a sample, a probe, a tick): applied
 *   in place, the processes keep running (probes, the watchdog, `cron_restart` and the file watcher
 *   are re-armed);
 * - `logs`: the log files or their settings (rotation, retention, line format): applied in place, the
 *   log pipelines of the running processes write to the new files, with the new settings, from the
 *   next line on (see `LogPipeline.retarget`);
 * - `scale`: the instance count: instances are added or removed, the others keep running (as
 *   `velos scale`);
 * - `spawn`: changes how the process is spawned: a restart (a running cluster app reloads);
 * - `pipeline`: needs other processes or log pipelines: a stop and a start, also in cluster mode;
 * - `link`: the link to the config file, not compared (`source`).
 */
export type SpecKeyEffect = 'link' | 'policy' | 'logs' | 'scale' | 'spawn' | 'pipeline';

/** Every key of `AppSpec` with what its change needs: a key added to `AppSpec` must be classified here. */
export const SPEC_KEY_EFFECTS: { readonly [K in keyof Required<AppSpec>]: SpecKeyEffect } = {
  source: 'link',
  // read at each stop, exit, sample or check
  namespace: 'policy',
  autorestart: 'policy',
  maxRestarts: 'policy',
  minUptimeMs: 'policy',
  restartDelayMs: 'policy',
  expBackoffRestartDelayMs: 'policy',
  maxBackoffDelayMs: 'policy',
  stopExitCodes: 'policy',
  killTimeoutMs: 'policy',
  stopSignal: 'policy',
  maxMemoryBytes: 'policy',
  listenTimeoutMs: 'policy',
  metricsUrl: 'policy',
  jobTimeoutMs: 'policy',
  jobHistory: 'policy',
  // re-armed on the running processes
  cronRestart: 'policy',
  watchdog: 'policy',
  livenessProbe: 'policy',
  readinessProbe: 'policy',
  // read when an app starts (the order of a start), checked against the daemon's apps before
  dependsOn: 'policy',
  // the app's file watcher is replaced (or closed, or opened): its processes keep running
  watch: 'policy',
  ignoreWatch: 'policy',
  watchDelayMs: 'policy',
  // the log pipelines take them in place
  outFile: 'logs',
  errFile: 'logs',
  logFile: 'logs',
  logFileInHome: 'logs',
  mergeLogs: 'logs',
  logPerInstance: 'logs',
  logFormat: 'logs',
  logDateFormat: 'logs',
  logMaxBytes: 'logs',
  logRotateCron: 'logs',
  logRetain: 'logs',
  logCompress: 'logs',
  // read by the live log engine and the capture classifier at each batch, by a query when it runs
  logRules: 'policy',
  // how the process is spawned
  name: 'spawn',
  script: 'spawn',
  args: 'spawn',
  cwd: 'spawn',
  env: 'spawn',
  ownEnv: 'spawn',
  inheritEnv: 'spawn',
  filterEnv: 'spawn',
  // read at `start` only: a reload of the file does not stop or start the app for it
  autostart: 'policy',
  uid: 'spawn',
  gid: 'spawn',
  interpreter: 'spawn',
  interpreterArgs: 'spawn',
  instanceVar: 'spawn',
  incrementVar: 'spawn',
  pidFile: 'spawn',
  umask: 'spawn',
  waitReady: 'spawn',
  shutdownWithMessage: 'spawn',
  // added or removed as `velos scale` does: the instances that stay keep running
  instances: 'scale',
  // other processes, or the live log engine attached to its pipelines when they open
  execMode: 'pipeline',
  type: 'pipeline',
  schedule: 'pipeline',
  intervalMs: 'pipeline',
  logEngine: 'pipeline',
};

const RANK: Record<SpecKeyEffect, number> = { link: 0, policy: 1, logs: 2, scale: 3, spawn: 4, pipeline: 5 };

/** The keys whose values differ between two specs (`source` included). */
export function changedKeys(before: AppSpec, after: AppSpec): (keyof AppSpec)[] {
  const keys = Object.keys(SPEC_KEY_EFFECTS) as (keyof AppSpec)[];
  return keys.filter((key) => stableJson(before[key]) !== stableJson(after[key]));
}

/**
 * SUP-8: a job stays a job: what its next run is spawned with and its schedule (`schedule`,
 * `intervalMs`) are applied in place. The run in progress goes on with the spec it started with (as a
 * Kubernetes CronJob's running Job); stopping it, or running a job that was waiting for its time,
 * only to apply a change, would do work nobody asked for.
 */
const JOB_RUN_KEYS: ReadonlySet<keyof AppSpec> = new Set<keyof AppSpec>(['schedule', 'intervalMs']);

/** The effect of a change of `key` on an app that is a job before and after (see `JOB_RUN_KEYS`). */
function jobKeyEffect(key: keyof AppSpec): SpecKeyEffect {
  const effect = SPEC_KEY_EFFECTS[key];
  return effect === 'spawn' || JOB_RUN_KEYS.has(key) ? 'policy' : effect;
}

/**
 * What applying `after` over `before` needs: the largest effect of the keys that differ (`link`
 * when only the link to the file, or nothing, differs). A job's spawn keys and schedule are
 * `policy` while it stays a job (`JOB_RUN_KEYS`).
 * @example changeEffect(spec, { ...spec, killTimeoutMs: 9000 }) // 'policy'
 */
export function changeEffect(before: AppSpec, after: AppSpec): SpecKeyEffect {
  const isJob = before.type === 'job' && after.type === 'job';
  let effect: SpecKeyEffect = 'link';
  for (const key of changedKeys(before, after)) {
    const next = isJob ? jobKeyEffect(key) : SPEC_KEY_EFFECTS[key];
    if (RANK[next] > RANK[effect]) effect = next;
  }
  return effect;
}

/** True when a change of this effect is applied in place: no process is started or stopped. */
export function isInPlace(effect: SpecKeyEffect): boolean {
  return effect === 'link' || effect === 'policy' || effect === 'logs';
}
