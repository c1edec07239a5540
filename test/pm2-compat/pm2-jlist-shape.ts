/**
 * A parser of `pm2 jlist` written against PM2's documented process description (name, pid, pm_id,
 * monit {memory, cpu}, pm2_env {status, pm_uptime, restart_time, unstable_restarts, pm_cwd,
 * pm_exec_path, exec_interpreter, instances, log paths…}): what a deploy script reading jlist relies
 * on. It fails with the path of the first field that is missing or of the wrong type.
 */

/** PM2's documented statuses. */
export const PM2_STATUSES = [
  'online',
  'stopping',
  'stopped',
  'launching',
  'errored',
  'one-launch-status',
  'waiting restart',
] as const;

/** One process as PM2 documents it. */
export interface Pm2Description {
  name: string;
  pid: number;
  pm_id: number;
  monit: { memory: number; cpu: number };
  pm2_env: {
    name: string;
    namespace: string;
    pm_id: number;
    status: (typeof PM2_STATUSES)[number];
    pm_uptime: number;
    created_at: number;
    restart_time: number;
    unstable_restarts: number;
    exec_mode: 'fork_mode' | 'cluster_mode';
    instances: number;
    exec_interpreter: string;
    pm_exec_path: string;
    pm_cwd: string;
    pm_out_log_path: string;
    pm_err_log_path: string;
    pm_pid_path: string;
    autorestart: boolean;
    watch: boolean | string[];
    /** Present when the app stamps its lines (`--time`, `--log-date-format`). */
    log_date_format?: string;
    time?: boolean;
    exit_code: number | null;
    version: string;
    node_version: string;
    NODE_APP_INSTANCE: number;
    env: Record<string, string>;
  };
}

type Check = (value: unknown) => boolean;

const isString: Check = (value) => typeof value === 'string';
const isCount: Check = (value) => Number.isInteger(value) && (value as number) >= 0;
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isBoolean: Check = (value) => typeof value === 'boolean';
const isPath: Check = (value) => typeof value === 'string' && value.startsWith('/');
const isStringMap: Check = (value) =>
  typeof value === 'object' &&
  value !== null &&
  Object.values(value).every((entry) => typeof entry === 'string');

const TOP: Record<string, Check> = { name: isString, pid: isCount, pm_id: isCount };
const MONIT: Record<string, Check> = { memory: isCount, cpu: isNumber };
const ENV: Record<string, Check> = {
  name: isString,
  namespace: isString,
  pm_id: isCount,
  status: (value) => (PM2_STATUSES as readonly unknown[]).includes(value),
  pm_uptime: isCount,
  created_at: isCount,
  restart_time: isCount,
  unstable_restarts: isCount,
  exec_mode: (value) => value === 'fork_mode' || value === 'cluster_mode',
  instances: (value) => Number.isInteger(value) && (value as number) >= 1,
  exec_interpreter: isString,
  pm_exec_path: isString,
  pm_cwd: isPath,
  pm_out_log_path: isPath,
  pm_err_log_path: isPath,
  pm_pid_path: isPath,
  autorestart: isBoolean,
  watch: (value) => typeof value === 'boolean' || (Array.isArray(value) && value.every(isString)),
  exit_code: (value) => value === null || Number.isInteger(value),
  version: isString,
  node_version: isString,
  NODE_APP_INSTANCE: isCount,
  env: isStringMap,
};

/** Parses the stdout of `pm2 jlist` (or `prettylist`) and checks every element against PM2's shape. */
export function parsePm2List(text: string): Pm2Description[] {
  const list: unknown = JSON.parse(text);
  if (!Array.isArray(list)) throw new Error(`jlist: expected an array, got ${typeof list}`);
  list.forEach((item, i) => {
    checkFields(item, TOP, `[${i}]`);
    const { monit, pm2_env } = item as { monit: unknown; pm2_env: unknown };
    checkFields(monit, MONIT, `[${i}].monit`);
    checkFields(pm2_env, ENV, `[${i}].pm2_env`);
    const env = pm2_env as { pm_id: number; name: string };
    const top = item as { pm_id: number; name: string; pid: number };
    if (env.pm_id !== top.pm_id) throw new Error(`jlist: [${i}].pm2_env.pm_id differs from pm_id`);
    if (env.name !== top.name) throw new Error(`jlist: [${i}].pm2_env.name differs from name`);
    const status = (pm2_env as { status: string }).status;
    if (status === 'online' && top.pid === 0) throw new Error(`jlist: [${i}] is online with pid 0`);
    if (status === 'stopped' && top.pid !== 0)
      throw new Error(`jlist: [${i}] is stopped with pid ${top.pid}`);
  });
  return list as Pm2Description[];
}

function checkFields(value: unknown, checks: Record<string, Check>, path: string): void {
  if (typeof value !== 'object' || value === null) throw new Error(`jlist: ${path}: expected an object`);
  for (const [key, check] of Object.entries(checks)) {
    const field = (value as Record<string, unknown>)[key];
    if (!check(field)) throw new Error(`jlist: ${path}.${key}: unexpected ${JSON.stringify(field)}`);
  }
}
