import type { OptionSpec } from '../command-spec.js';

const IGNORED = 'PM2 flag with no Velos equivalent: accepted and ignored, with a warning';

/** A PM2 flag that stands alone (`--no-vizion`). */
const flag: OptionSpec = { type: 'boolean', isHidden: true, description: IGNORED };

/**
 * PM2's `start` flags for the options Velos has no equivalent of (the process file keys it ignores:
 * vizion, pmx, treekill, trace…): taken so that a PM2 deploy script runs unchanged, and named
 * in one warning (`ignoredPm2FlagsWarning`); `velos start --help` names them in its details.
 */
export const PM2_IGNORED_START_OPTIONS: Record<string, OptionSpec> = {
  'no-vizion': flag,
  'no-treekill': flag,
  'no-pmx': flag,
  'no-automation': flag,
  trace: flag,
  'disable-trace': flag,
  'deep-monitoring': flag,
  'source-map-support': flag,
  'disable-source-map-support': flag,
  // PM2's metrics of @pm2/io (as --deep-monitoring)
  v8: flag,
  'event-loop-inspector': flag,
  // PM2's `--log-type <type>`
  'log-type': { type: 'string', value: 'type', isHidden: true, description: IGNORED },
};

/** PM2's `--append-env-to-name`: with a config file and `--env`, each app's name takes `-<profile>`. */
export const APPEND_ENV_TO_NAME_OPTION: Record<string, OptionSpec> = {
  'append-env-to-name': {
    type: 'boolean',
    description: "with a config file and --env: add -<profile> to each app's name (PM2 append_env_to_name)",
  },
};

const DOCKER_MODE =
  "PM2's Docker mode: Velos has none; run velos start <file> --no-daemon as the container's command";
const AUTO_EXIT =
  'velos start <file> --no-daemon does not exit when every app has stopped or errored: it runs until SIGTERM, SIGINT or velos kill';
const PM2_IO_KEYS =
  "pm2-runtime's PM2.io keys: Velos links to no hosted service; export metrics with velos metrics or OpenTelemetry (docs/metrics.md)";

/**
 * PM2 `start` flags Velos refuses because ignoring them would change what the command does, each with
 * what to do instead: the hint after `velos: unknown option --attach for velos start`. PM2's Docker
 * mode and pm2-runtime's flags (a container's entry point) point at Velos's foreground mode, `--no-daemon`.
 */
const PM2_REFUSED_START_FLAGS: Readonly<Record<string, string>> = {
  '--attach': "PM2's --attach: follow the logs after the start with velos logs <name> -f",
  '--ext':
    "PM2's --ext (watch only these extensions): Velos watches every file of the --watch paths; leave files out with --ignore-watch",
  '--write':
    "PM2's --write (save a process file): Velos writes none; velos save keeps the apps for resurrect",
  '--fresh': DOCKER_MODE,
  '--container': DOCKER_MODE,
  '--dist': DOCKER_MODE,
  '--image-name': DOCKER_MODE,
  '--node-version': DOCKER_MODE,
  '--dockerdaemon': DOCKER_MODE,
  '--docker': DOCKER_MODE,
  '--daemon':
    "PM2's --daemon (of its Docker mode): velos start runs the apps under a background daemon already; --no-daemon runs it in the foreground",
  '--no-auto-exit': `pm2-runtime's --no-auto-exit: ${AUTO_EXIT}`,
  '--auto-exit': `pm2-runtime's auto-exit: ${AUTO_EXIT}`,
  '--delay':
    "pm2-runtime's --delay: Velos starts the apps at once; wait in the container's command (sleep 5 && exec velos start <file> --no-daemon)",
  '--web':
    "pm2-runtime's --web: the daemon serves Prometheus metrics with port in [metrics] of config.toml (or velos metrics --port 9615), Velos's REST API is velos serve",
  '--secret': PM2_IO_KEYS,
  '--public': PM2_IO_KEYS,
  '--machine-name': PM2_IO_KEYS,
};

/** The hint for a PM2 start flag Velos refuses (`; PM2's --attach: …`), null for any other option. */
export function refusedPm2StartFlagHint(arg: string): string | null {
  const eq = arg.indexOf('=');
  const hint = PM2_REFUSED_START_FLAGS[eq === -1 ? arg : arg.slice(0, eq)];
  return hint === undefined ? null : `; ${hint}`;
}

/**
 * The hint after PM2's `--parallel <n>` given to `velos restart` or `reload` (Velos has no such flag:
 * a restart takes every process of the target at once, a reload one at a time), null for any other option.
 */
export function parallelFlagHint(arg: string): string | null {
  const eq = arg.indexOf('=');
  if ((eq === -1 ? arg : arg.slice(0, eq)) !== '--parallel') return null;
  return "; PM2's --parallel: velos restart <target> restarts all its processes at once, velos reload <target> replaces them one at a time (no downtime)";
}
