import type { AppSpec, ExecMode } from '@velos/core';
import { type ResolvedCommand, resolveCommand } from '../resolve-command.js';

/** How a Node script runs inside a cluster worker: `node [execArgv] exec [args]`. */
export interface ClusterCommand {
  exec: string;
  args: string[];
  execArgv: string[];
}

const cache = new WeakMap<AppSpec, ClusterCommand | null>();

/**
 * The worker command of an app that runs in cluster mode, or null when it forks: `exec_mode` is
 * fork, or the program is not a Node script (a Python app with `-i 3` gets 3 fork instances).
 */
export function clusterCommand(spec: AppSpec): ClusterCommand | null {
  if (spec.execMode !== 'cluster') return null;
  const cached = cache.get(spec);
  if (cached !== undefined) return cached;
  let command: ClusterCommand | null = null;
  try {
    command = toClusterCommand(resolveCommand(spec), spec);
  } catch {
    // not resolvable: it forks, and the fork runner reports why it cannot start
  }
  cache.set(spec, command);
  return command;
}

/** What actually runs for an app: `cluster` only for a Node script in cluster mode. */
export function effectiveExecMode(spec: AppSpec): ExecMode {
  return clusterCommand(spec) ? 'cluster' : 'fork';
}

function toClusterCommand(resolved: ResolvedCommand, spec: AppSpec): ClusterCommand | null {
  if (resolved.shell || resolved.file !== process.execPath) return null;
  // resolveCommand gives [runtime flags…, interpreter args…, script, app args…]; the script is the
  // first argument after them that the app's args do not account for.
  const scriptIndex = resolved.args.length - spec.args.length - 1;
  const exec = resolved.args[scriptIndex];
  if (scriptIndex < 0 || exec === undefined) return null;
  return { exec, args: resolved.args.slice(scriptIndex + 1), execArgv: resolved.args.slice(0, scriptIndex) };
}
