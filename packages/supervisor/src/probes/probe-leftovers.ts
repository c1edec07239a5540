import { findEscapedByVariables, recheckExecing } from '../orphans/escaped-scan.js';
import { hasPidsSince, markPids, type PidMark, snapshotSince } from '../pids-since.js';
import { HAS_PROCFS } from '../proc-scan.js';
import { recentSnapshot, stopTree } from '../tree-stop.js';

/** The environment variable that marks every process an exec probe's command starts. */
export const PROBE_MARKER = 'VELOS_PROBE';

let markerSeq = 0;

/** What one run of an exec probe's command is known by, for `killEscaped` once it exits. */
export interface ProbeRunMark {
  /** `VELOS_PROBE`'s value for this run: unique to this daemon and run. */
  marker: string;
  /** Where pid allocation stood at the spawn (null where /proc cannot tell). */
  pids: PidMark | null;
}

/** A marker for the next run of a probe command: `<daemon pid>.<n>`. */
export function nextProbeMarker(): string {
  markerSeq += 1;
  return `${process.pid}.${markerSeq}`;
}

/** The mark of a probe command just spawned as `pid` with `marker` in its environment. */
export function markProbeRun(pid: number, marker: string): ProbeRunMark {
  return { marker, pids: markPids(pid) };
}

/**
 * SIGKILLs what a probe command that has exited left outside its process group (a `setsid` child
 * re-parented to init), with the mechanism app stops use (#15): the processes whose pids were allocated
 * since the spawn, in the command's session or a newer one (`snapshotSince`), carrying the run's
 * `VELOS_PROBE` marker. Costs one read of /proc/loadavg when no pid was allocated since the spawn, else
 * a few `/proc` look-ups per pid allocated since (one listing of /proc past 64); Linux only. A process
 * caught in the middle of an `execve` has no environment to read for a moment: it is read again until it
 * has one (a setsid child exec'ing as the command exited lived on: a CI run under load saw it).
 */
export function killEscaped(rootPid: number, mark: ProbeRunMark): void {
  // a command that forked nothing (`sh -c 'curl …'` execs curl) on a quiet machine: one read
  if (!HAS_PROCFS || !hasPidsSince(mark.pids)) return;
  const snapshot = snapshotSince(mark.pids, { isSessionLeader: true }) ?? recentSnapshot();
  const variables = [`${PROBE_MARKER}=${mark.marker}`];
  const { found, execing } = findEscapedByVariables({ variables, rootPid, sinceTicks: 0, snapshot });
  for (const [pid, startTicks] of found) kill(pid, startTicks);
  if (execing.length === 0) return;
  recheckExecing(execing, variables)
    .then((late) => {
      for (const [pid, startTicks] of late) kill(pid, startTicks);
    })
    .catch(() => undefined);
}

function kill(pid: number, startTicks: number): void {
  stopTree(pid, { signal: 'SIGKILL', killTimeoutMs: 0, rootStartTicks: startTicks }).catch(() => undefined);
}
