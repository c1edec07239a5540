import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, join, relative } from 'node:path';

/** One app of a PM2 dump as Velos config keys, with what was mapped and left out. */
export interface ImportedApp {
  name: string;
  /** A config entry (snake_case keys) for `validateConfig`. */
  app: Record<string, unknown>;
  /** The PM2 fields that became options, with their values as imported. */
  mapped: Record<string, unknown>;
  /** PM2 options of the dump with no Velos equivalent (runtime state is not listed). */
  ignored: string[];
  /** PM2's status of the app: `stopped` apps are imported stopped. */
  wasStopped: boolean;
  /** Number of env variables imported. */
  envCount: number;
}

// PM2 fields copied under the same key (PM2 and Velos agree on the name and the value).
const SAME = [
  'autorestart',
  'max_restarts',
  'min_uptime',
  'restart_delay',
  'exp_backoff_restart_delay',
  'kill_timeout',
  'wait_ready',
  'listen_timeout',
  'cron_restart',
  'increment_var',
  'stop_exit_codes',
  'ignore_watch',
  'watch_delay',
] as const;

/** The `log_date_format` PM2 gives an app with `time: true` (`--time`), whatever format it had. */
const PM2_TIME_FORMAT = 'YYYY-MM-DDTHH:mm:ss';

/** Where PM2 writes a stream it drops (its `/dev/null` and `NULL` alike). */
const NULL_DEVICE = '/dev/null';

// PM2 options with no Velos equivalent: reported when the dump sets them (append_env_to_name: the
// dump's name already has the profile).
const NO_EQUIVALENT = new Set([
  'vizion',
  'treekill',
  'source_map_support',
  'disable_source_map_support',
  'post_update',
  'append_env_to_name',
  'log_type',
  'force',
  'kill_retry_time',
  'windowsHide',
  'pmx',
  'automation',
  'trace',
  'deep_monitoring',
]);

// The values PM2 writes into every dump entry itself: an app that never set them is not told they were ignored.
const PM2_DEFAULTS: Readonly<Record<string, unknown>> = {
  vizion: true,
  treekill: true,
  kill_retry_time: 100,
  windowsHide: true,
  pmx: true,
  automation: true,
};

// Variables PM2 adds to an app's environment itself; they are not the app's own.
const PM2_ENV = /^(PM2_|pm_|axm_|NODE_APP_INSTANCE$|unique_id$|km_link$|vizion_running$|name$|status$)/;

/**
 * Turns the entries of a PM2 dump (`~/.pm2/dump.pm2`: process descriptions, flat or with their
 * fields under `pm2_env`) into Velos apps: the instances of a cluster app (entries of one name) become
 * one app; PM2's default log and pid files (under the PM2 home) are left to Velos's defaults.
 */
export function mapPm2Dump(entries: unknown[], dumpFile: string): ImportedApp[] {
  const byName = new Map<string, Record<string, unknown>[]>();
  entries.forEach((raw, i) => {
    const entry = flatten(raw);
    if (isPm2Module(entry)) return;
    const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : `app-${i}`;
    byName.set(name, [...(byName.get(name) ?? []), entry]);
  });
  return [...byName].map(([name, group]) => mapApp(name, group, pm2HomesOf(group[0]!, dumpFile)));
}

/**
 * The names of the PM2 modules (pm2-logrotate…) among the entries: `pm2 jlist` lists them, `pm2 save`
 * leaves them out (PM2 starts its modules itself), and `mapPm2Dump` does not import them.
 */
export function pm2ModuleNames(entries: unknown[]): string[] {
  const names = entries.map(flatten).flatMap((entry) => (isPm2Module(entry) ? [String(entry.name)] : []));
  return [...new Set(names)];
}

function isPm2Module(entry: Record<string, unknown>): boolean {
  return entry.pmx_module === true;
}

/**
 * Where PM2 kept its default log and pid files for an entry: the PM2_HOME the process ran with (PM2
 * puts it in every app's env; a dump copied from another host names it), else the dump's directory,
 * then this shell's PM2_HOME and `~/.pm2`. A `pm2 jlist > ~/pm2.json` is not in a PM2 home: taking its
 * directory for one left out every file under it (the apps' own logs in ~/app/logs).
 */
function pm2HomesOf(entry: Record<string, unknown>, dumpFile: string): string[] {
  const env = entry.env;
  const own = env !== null && typeof env === 'object' ? (env as Record<string, unknown>).PM2_HOME : undefined;
  const homes = [
    typeof own === 'string' && isAbsolute(own) ? own : dirname(dumpFile),
    join(homedir(), '.pm2'),
  ];
  const shell = process.env.PM2_HOME;
  if (typeof shell === 'string' && isAbsolute(shell)) homes.push(shell);
  return homes;
}

function mapApp(name: string, group: Record<string, unknown>[], pm2Homes: string[]): ImportedApp {
  const first = group[0]!;
  const mapped: Record<string, unknown> = {};
  const app: Record<string, unknown> = { name };
  const set = (key: string, value: unknown, from = key) => {
    if (value === undefined || value === null) return;
    app[key] = value;
    mapped[from] = value;
  };
  set(
    'script',
    first.pm_exec_path ?? first.script,
    first.pm_exec_path === undefined ? 'script' : 'pm_exec_path',
  );
  set('cwd', first.pm_cwd ?? first.cwd, first.pm_cwd === undefined ? 'cwd' : 'pm_cwd');
  if (Array.isArray(first.args) ? first.args.length > 0 : typeof first.args === 'string')
    set('args', first.args);
  const interpreter = first.exec_interpreter ?? first.interpreter;
  const script = typeof app.script === 'string' ? app.script : '';
  if (
    typeof interpreter === 'string' &&
    !(interpreter === 'node' && /\.[cm]?[jt]s$/.test(extname(script) || script))
  )
    set('interpreter', interpreter, 'exec_interpreter');
  const nodeArgs = first.node_args ?? first.interpreter_args;
  if (Array.isArray(nodeArgs) ? nodeArgs.length > 0 : typeof nodeArgs === 'string' && nodeArgs !== '')
    set('interpreter_args', nodeArgs, 'node_args');
  const isCluster = first.exec_mode === 'cluster_mode' || first.exec_mode === 'cluster';
  if (isCluster) set('exec_mode', 'cluster', 'exec_mode');
  // several fork-mode processes stay forks: a PM2 file's instances without exec_mode would be a cluster
  else if (group.length > 1) set('exec_mode', 'fork', 'exec_mode');
  if (group.length > 1 || isCluster) set('instances', group.length, 'instances');
  if (typeof first.namespace === 'string' && first.namespace !== 'default') set('namespace', first.namespace);
  if (first.watch === true || (Array.isArray(first.watch) && first.watch.length > 0))
    set('watch', first.watch);
  if (typeof first.max_memory_restart === 'number' && first.max_memory_restart > 0)
    set('max_memory', first.max_memory_restart, 'max_memory_restart');
  for (const key of SAME) if (isSet(first[key]) && !isCronOff(key, first[key])) set(key, first[key]);
  // PM2 writes `<stamp>: <line>` and Velos `<stamp> <line>`: the colon goes into the format, so that
  // the lines keep PM2's form (a log shipper's pattern); --time's lines are local time to the second
  const dateFormat = first.time === true ? PM2_TIME_FORMAT : first.log_date_format;
  if (typeof dateFormat === 'string' && dateFormat !== '') set('log_date_format', `${dateFormat}:`);
  if (first.shutdown_with_message === true) set('shutdown_with_message', true);
  // PM2's autostart: false (true is the default of both): added stopped, kept stopped by resurrect
  if (first.autostart === false) set('autostart', false);
  if (typeof first.instance_var === 'string' && first.instance_var !== 'NODE_APP_INSTANCE')
    set('instance_var', first.instance_var);
  // PM2's merge_logs: false (absent from a dump, as on its cluster apps) wrote one set of files per instance
  const perInstance = isPerInstance(first);
  if (perInstance || first.merge_logs === true || first.combine_logs === true)
    set('merge_logs', !perInstance, 'merge_logs');
  const files: [string, string][] = [
    ['pm_out_log_path', 'out_file'],
    ['pm_err_log_path', 'error_file'],
    ['pm_log_path', 'log_file'],
    ['pm_pid_path', 'pid_file'],
  ];
  for (const [from, to] of files) {
    const path = first[from];
    // PM2 names a pid file by pm_id always, a log file only per instance; Velos adds its own ids
    const isSplit = perInstance || from === 'pm_pid_path';
    // PM2 wrote the stream nowhere (the app's out_file or error_file: '/dev/null' or 'NULL'): nor does Velos
    if (path === NULL_DEVICE && (from === 'pm_out_log_path' || from === 'pm_err_log_path'))
      set(to, NULL_DEVICE, from);
    else if (typeof path === 'string' && isOwnPath(path, pm2Homes))
      set(to, isSplit ? withoutIdSuffix(path, first.pm_id) : path, from);
    // a combined log in PM2's log directory (`-l` without a path) stays one, in Velos's
    else if (from === 'pm_log_path' && typeof path === 'string' && path !== NULL_DEVICE) set(to, true, from);
  }
  // PM2 ran the app as this user and group (numbers in a dump): as root, Velos does too
  if (isAccount(first.uid)) set('uid', first.uid);
  if (isAccount(first.gid)) set('gid', first.gid);
  // the shell variables PM2 left out (the dump's env is without them): Velos leaves this shell's out
  if (first.filter_env !== false && isSet(first.filter_env)) set('filter_env', first.filter_env);
  // PM2 wrote the app's output nowhere (its log paths in the dump are the defaults it did not write)
  if (first.disable_logs === true) set('disable_logs', true);
  const env = ownEnv(first.env, name);
  const envCount = Object.keys(env).length;
  if (envCount > 0) app.env = env;
  const ignored = Object.keys(first).filter(
    (key) => NO_EQUIVALENT.has(key) && isSet(first[key]) && first[key] !== PM2_DEFAULTS[key],
  );
  return { name, app, mapped, ignored, wasStopped: group.every((e) => e.status === 'stopped'), envCount };
}

/** A dump entry's fields, whether flat (dump.pm2) or under `pm2_env` (jlist). */
function flatten(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const entry = raw as Record<string, unknown>;
  const inner = entry.pm2_env;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return entry;
  return { ...(inner as Record<string, unknown>), name: entry.name ?? (inner as { name?: unknown }).name };
}

/** The app's own variables: without PM2's, and without the `<name>: "{}"` entry PM2 adds for each app. */
function ownEnv(value: unknown, name: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return env;
  for (const [key, v] of Object.entries(value)) {
    if (PM2_ENV.test(key) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    if (key === name && (v === '{}' || (typeof v === 'object' && v !== null))) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[key] = String(v);
  }
  return env;
}

/** A file the user chose: not PM2's default under one of its homes, not /dev/null. */
function isOwnPath(path: string, pm2Homes: readonly string[]): boolean {
  if (!isAbsolute(path) || path === NULL_DEVICE) return false;
  return pm2Homes.every((home) => {
    const inside = relative(home, path);
    return inside.startsWith('..') || isAbsolute(inside);
  });
}

/**
 * Whether PM2 wrote one set of log files per instance: PM2 keeps `merge_logs: true` in its dump when
 * the instances share files (its default for a single fork-mode app) and leaves the key out otherwise
 * (`merge_logs: false`, and its default for cluster apps).
 */
function isPerInstance(entry: Record<string, unknown>): boolean {
  return entry.merge_logs !== true && entry.combine_logs !== true;
}

/**
 * PM2's `<file>-<pm_id>.log` of one instance → the app's own `<file>.log`: the entry's `pm_id` when
 * it has one (a jlist), else the one `-<digits>` PM2 put before the extension (`pm2 save` drops pm_id).
 */
function withoutIdSuffix(path: string, pmId: unknown): string {
  const ext = extname(path);
  const stem = ext === '' ? path : path.slice(0, -ext.length);
  const suffix = Number.isInteger(pmId) ? `-${pmId as number}` : /-\d+$/.exec(stem)?.[0];
  return suffix !== undefined && stem.endsWith(suffix) ? `${stem.slice(0, -suffix.length)}${ext}` : path;
}

/** A user or group of a dump: PM2 writes the number it resolved the name to; a name is taken too. */
function isAccount(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
    (typeof value === 'string' && value !== '')
  );
}

/** PM2's `cron_restart` of 0 or "0" (`--cron-restart 0`): no cron restart, so nothing is mapped. */
function isCronOff(key: string, value: unknown): boolean {
  return key === 'cron_restart' && (value === 0 || (typeof value === 'string' && value.trim() === '0'));
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}
