import { type AppSpec, ErrorCodes, isVelosError, PROTOCOL_COMMANDS, VelosError } from '@velos/core';

/** How long the API waits for the daemon's answer to a read (`list`, `describe`, `logs`…) by default. */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;
/**
 * How long it waits for a command that acts when the apps it acts on are not known (a config reload,
 * `save`, a target the daemon could not describe): their work is bounded by the apps' kill_timeout and
 * listen_timeout, applied to many apps at once.
 */
export const DEFAULT_ACTION_TIMEOUT_MS = 300_000;
/** Environment variables that set the two bounds, in ms (the action one then for every command that acts). */
export const READ_TIMEOUT_VARIABLE = 'VELOS_API_READ_TIMEOUT_MS';
export const ACTION_TIMEOUT_VARIABLE = 'VELOS_API_ACTION_TIMEOUT_MS';
/** Slack of each step of an action (a stop's SIGKILL after kill_timeout, a spawn). */
export const ACTION_STEP_SLACK_MS = 1_000;
/** Slack of a whole action (the state written, the answer sent). */
export const ACTION_MARGIN_MS = 10_000;

/** What the bound of an action reads of each process it acts on. */
export type ActionTimes = Pick<AppSpec, 'name' | 'killTimeoutMs' | 'listenTimeoutMs' | 'dependsOn'>;

/**
 * The bound of each daemon command the API sends over the socket (a stuck daemon answers 504 `TIMEOUT`
 * after it): reads get `VELOS_API_READ_TIMEOUT_MS` (10 s). A command that acts on a target is bounded
 * by its processes' own timeouts (`actionBoundMs`), read first with `describe` (a read: a stuck daemon
 * answers 504 before the command is sent); one whose apps are not known, 5 minutes.
 * `VELOS_API_ACTION_TIMEOUT_MS` bounds every command that acts instead. A value that is not a
 * positive integer is refused.
 * @example createClient({ home, timeoutMs: apiRequestTimeout(process.env, (t) => client.describe(t)) })
 */
export function apiRequestTimeout(
  env: NodeJS.ProcessEnv,
  describe?: (target: string) => Promise<{ id: number; spec: ActionTimes }[]>,
): (cmd: string, payload?: unknown) => number | Promise<number> {
  const readMs = timeoutFromEnv(env, READ_TIMEOUT_VARIABLE, DEFAULT_READ_TIMEOUT_MS);
  const actionMs = timeoutFromEnv(env, ACTION_TIMEOUT_VARIABLE, undefined);
  const commands: Record<string, { isReadOnly: boolean } | undefined> = PROTOCOL_COMMANDS;
  return (cmd, payload) => {
    if (Object.hasOwn(commands, cmd) && commands[cmd]?.isReadOnly) return readMs;
    if (actionMs !== undefined) return actionMs;
    const request = (payload ?? {}) as { apps?: unknown; target?: unknown; name?: unknown };
    if (cmd === 'start' && Array.isArray(request.apps)) {
      return actionBoundMs(
        cmd,
        (request.apps as AppSpec[]).flatMap((app) => instancesOf(app)),
      );
    }
    const target = cmd === 'scale' ? request.name : request.target;
    const targets = typeof target === 'string' ? [target] : Array.isArray(target) ? target : [];
    if (describe === undefined || targets.length === 0 || !targets.every((t) => typeof t === 'string')) {
      return DEFAULT_ACTION_TIMEOUT_MS;
    }
    return timesOf(targets as string[], describe).then(
      (times) => (times.length === 0 ? readMs : actionBoundMs(cmd, times)),
      (error: unknown) => {
        // a daemon that does not answer a read is not sent the action; a target it does not know is its to refuse
        if (isVelosError(error) && error.code === ErrorCodes.TIMEOUT) {
          throw new VelosError(error.code, `${error.message}, so "${cmd}" was not sent`, { cause: error });
        }
        return DEFAULT_ACTION_TIMEOUT_MS;
      },
    );
  };
}

/**
 * How long command `cmd` may take on `processes` (one entry per process): a reload goes one process
 * after another, each a new run ready within listen_timeout and the old one stopped within
 * kill_timeout; any other command acts on them at once, in waves of `depends_on` (at most one more
 * than the apps that have one), each as long as its slowest process.
 * @example actionBoundMs('reload', [web, web]) // 2 × (1600 + 8000 + 1000) + 10000 = 31200
 */
export function actionBoundMs(cmd: string, processes: readonly ActionTimes[]): number {
  const steps = processes.map((p) => p.killTimeoutMs + p.listenTimeoutMs + ACTION_STEP_SLACK_MS);
  if (cmd === 'reload') return ACTION_MARGIN_MS + steps.reduce((sum, step) => sum + step, 0);
  const waves = 1 + new Set(processes.filter((p) => p.dependsOn.length > 0).map((p) => p.name)).size;
  return ACTION_MARGIN_MS + waves * Math.max(0, ...steps);
}

/** The processes of `targets` (each once), as `describe` gives them. */
async function timesOf(
  targets: string[],
  describe: (target: string) => Promise<{ id: number; spec: ActionTimes }[]>,
): Promise<ActionTimes[]> {
  const byId = new Map<number, ActionTimes>();
  for (const target of targets) for (const detail of await describe(target)) byId.set(detail.id, detail.spec);
  return [...byId.values()];
}

/** One entry per instance an app spec asks for. */
function instancesOf(app: AppSpec): ActionTimes[] {
  const count = typeof app.instances === 'number' && app.instances > 0 ? app.instances : 1;
  return Array.from({ length: count }, () => app);
}

function timeoutFromEnv<T extends number | undefined>(
  env: NodeJS.ProcessEnv,
  name: string,
  fallbackMs: T,
): number | T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name}: expected a positive number of milliseconds, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
