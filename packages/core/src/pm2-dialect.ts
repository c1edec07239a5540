import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { deriveName } from './app-resolve.js';
import { dateFormatTokensProblem } from './date-format-tokens.js';
import { ErrorCodes, VelosError } from './errors.js';
import { suggestKey } from './key-suggestion.js';
import { pm2Coercion } from './pm2-coerce.js';
import { quoteValue } from './quote-value.js';

/** How a config file's app keys are read: Velos's own files reject unknown keys, PM2 process files warn. */
export type ConfigDialect = 'velos' | 'pm2';

/** A warning met while reading a config file; the start goes on. */
export type ConfigWarning = (message: string) => void;

// PM2 process files: ecosystem.config.js, ecosystem.json, process.yml, pm2.json and the like.
const PM2_FILE = /^(ecosystem|process|pm2)([.-][\w.-]*)?\.(json|ya?ml|[cm]?js)$/i;

/** The dialect a file is read in, by its name: PM2's usual process file names and every JS file are PM2's. */
export function dialectOf(file: string): ConfigDialect {
  const name = basename(file);
  return PM2_FILE.test(name) || /\.[cm]?js$/i.test(name) ? 'pm2' : 'velos';
}

/**
 * What an app of a PM2 file takes where it sets nothing, under `[defaults]` of config.toml and its own
 * keys: PM2 stops its apps with SIGINT (its daemon's PM2_KILL_SIGNAL, SIGINT unless set), and its
 * graceful-shutdown guide has apps handle SIGINT alone; Velos's own files keep SIGTERM.
 */
export const PM2_APP_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({ kill_signal: 'SIGINT' });

/** PM2 spellings (after camelCase becomes snake_case) of keys Velos names otherwise, in both dialects. */
const ALIASES: Readonly<Record<string, string>> = {
  max_memory_restart: 'max_memory',
  mode: 'exec_mode',
  watch_ignore: 'ignore_watch',
  cron: 'cron_restart',
  out: 'out_file',
  output: 'out_file',
  out_log: 'out_file',
  error: 'error_file',
  err: 'error_file',
  err_file: 'error_file',
  err_log: 'error_file',
  log: 'log_file',
  pid: 'pid_file',
};

/**
 * PM2 options with no Velos equivalent: accepted, left out, named in one warning per file (`port` and
 * `user` only in Velos's own files: a PM2 file's are read as PM2 reads them).
 */
const IGNORED = new Set([
  'vizion',
  'vizion_running',
  'post_update',
  'treekill',
  'pmx',
  'automation',
  'source_map_support',
  'disable_source_map_support',
  'trace',
  'deep_monitoring',
  'windows_hide',
  'kill_retry_time',
  'user',
  'username',
  'log_type',
  'disable_logs',
  'force',
  'port',
  'instance_id',
  'max_memory_restart_bytes',
  'io',
  'node_version',
  'watch_options',
  'install_url',
  'event_loop_inspector',
  'write',
]);

const NULL_DEVICE = '/dev/null';

/** The paths PM2 reads `~` in (its `resolveHome`): the app's directory and its log and pid files. */
const HOME_PATHS = new Set(['cwd', 'out_file', 'error_file', 'log_file', 'pid_file']);

/** The argument lists of an app: PM2 passes a number or boolean in them on as its text (Node's spawn does). */
const ARG_LISTS = new Set(['args', 'node_args', 'interpreter_args']);

/** PM2's `merge_logs`: true is Velos's default (instances share one file); false gives each instance its own. */
const PM2_MERGE_LOGS = new Set(['merge_logs', 'combine_logs']);

/** What normalising the apps of one file gives: the apps in Velos's keys, and what was left out. */
export interface NormalisedApps {
  apps: unknown[];
  /** PM2 options with no Velos equivalent that the file set. */
  ignored: string[];
  /** The warnings of each app, held for `tellAppWarnings` when `holdsWarnings` was asked for. */
  held: AppWarnings;
}

/** The warnings about a file's apps, each app's apart (by its index in the file), until they are told. */
export interface AppWarnings {
  /** Each app's own warnings (an unknown key, a null env value…). */
  byApp: string[][];
  /** The PM2 options with no Velos equivalent each app sets, told in one line for the file. */
  ignoredByApp: string[][];
  /** The name the file gives each app whose name took the `--env` profile (`append_env_to_name`). */
  namesInFile: (string | undefined)[];
}

/**
 * Tells the held warnings of the apps `isTold` takes (by index; all by default): theirs in the file's
 * order, then one line naming the PM2 options they set that Velos ignores. `--only a` tells a's alone.
 */
export function tellAppWarnings(
  held: AppWarnings,
  label: string,
  warn: ConfigWarning,
  isTold: (index: number) => boolean = () => true,
): void {
  const ignored = new Set<string>();
  held.byApp.forEach((messages, i) => {
    if (!isTold(i)) return;
    for (const message of messages) warn(message);
    for (const key of held.ignoredByApp[i] ?? []) ignored.add(key);
  });
  if (ignored.size > 0)
    warn(`${label}: PM2 options with no Velos equivalent, ignored: ${[...ignored].join(', ')}`);
}

/**
 * Rewrites the app entries of a config file into Velos's keys: camelCase into snake_case, PM2's
 * aliases (`max_memory_restart`, `output`, `exec_mode: cluster_mode`…), `env_profiles` into
 * `env_<profile>` keys. In the `pm2` dialect unknown keys are dropped with a warning (with the option
 * they most likely meant); in the `velos` dialect they stay, for the strict schema to reject.
 */
export function normaliseApps(
  apps: unknown[],
  options: {
    dialect: ConfigDialect;
    label: string;
    known: readonly string[];
    warn?: ConfigWarning;
    /** The `--env` profile the file is loaded with: PM2's `append_env_to_name` adds it to the name. */
    envProfile?: string;
    /** `--append-env-to-name`: every app takes `append_env_to_name: true`. */
    appendsEnvToName?: boolean;
    /** The apps' warnings are held (`held`) for the caller to tell, not told as they are met. */
    holdsWarnings?: boolean;
  },
): NormalisedApps {
  const ignored = new Set<string>();
  const known = new Set(options.known);
  const held: AppWarnings = {
    byApp: apps.map(() => []),
    ignoredByApp: apps.map(() => []),
    namesInFile: apps.map(() => undefined),
  };
  const out = apps.map((app, i) => {
    if (app === null || typeof app !== 'object' || Array.isArray(app)) return app;
    const warnings = held.byApp[i]!;
    // no prototype: a "__proto__" key stays a key (and is refused as unknown), it never sets options
    const entry: Record<string, unknown> = Object.create(null);
    const unknown: string[] = [];
    const nulls: string[] = [];
    const jsons: string[] = [];
    let disablesLogs = false;
    let port: string | undefined;
    let forcesFork = false;
    let appendsEnv = options.appendsEnvToName === true;
    // PM2 runs a null env value as the string "null" (Node's spawn writes `KEY=null`) and leaves out an undefined one
    const envOf = (key: string, value: unknown): unknown =>
      options.dialect === 'pm2' && isTable(value) ? pm2Env(value, key, nulls, jsons) : value;
    for (const [raw, value] of Object.entries(app)) {
      // PM2 takes an option set to null as not set (`cron_restart: prod ? '0 3 * * *' : null`, YAML's
      // empty `watch:`), as undefined: its default applies
      if (options.dialect === 'pm2' && value === null) continue;
      const key = snakeCase(raw);
      if (key === 'env_profiles' && isTable(value)) {
        for (const [profile, env] of Object.entries(value))
          entry[`env_${profile}`] = envOf(`env_${profile}`, env);
        continue;
      }
      if (/^env_./.test(raw)) {
        entry[raw] = envOf(raw, value);
        continue;
      }
      if (options.dialect === 'pm2' && PM2_MERGE_LOGS.has(key)) {
        // true (the instances share the files) also clears a log_per_instance of config.toml's [defaults]
        if (typeof value === 'boolean') entry.log_per_instance = !value;
        continue;
      }
      if (options.dialect === 'pm2' && key === 'disable_logs') {
        if (value === true) disablesLogs = true;
        continue;
      }
      // PM2's schema makes exec_interpreter an alias of interpreter (prettylist prints it); interpreter wins
      if (key === 'exec_interpreter') {
        if (!('interpreter' in app)) entry.interpreter = normaliseValue('interpreter', value);
        continue;
      }
      // PM2's `port`: a shortcut that sets PORT in the app's env (an env_<profile> PORT still wins)
      if (options.dialect === 'pm2' && key === 'port') {
        port = portText(value, `${options.label}: apps[${i}]${appLabel(app)}.${raw}`);
        continue;
      }
      // PM2's `execute_command: true` (the file form of `-x`): fork mode, whatever exec_mode and instances say
      if (options.dialect === 'pm2' && key === 'execute_command') {
        forcesFork = value === true;
        continue;
      }
      // PM2's `append_env_to_name: true`: started with --env production, the app is api-production
      if (options.dialect === 'pm2' && key === 'append_env_to_name') {
        appendsEnv = value === true || options.appendsEnvToName === true;
        continue;
      }
      // PM2's schema makes `exec` an alias of script
      if (options.dialect === 'pm2' && key === 'exec') {
        if (!('script' in app)) entry.script = value;
        continue;
      }
      // PM2's schema makes `user` an alias of uid
      if (options.dialect === 'pm2' && key === 'user') {
        if (!('uid' in app)) entry.uid = value;
        continue;
      }
      if (key === 'combine_logs') {
        entry.merge_logs = value;
        continue;
      }
      const name = ALIASES[key] ?? key;
      // PM2's `cron_restart: 0` (or "0") is no cron restart: a file that turns it off per environment
      if (options.dialect === 'pm2' && name === 'cron_restart' && isCronOff(value)) continue;
      if (known.has(name)) {
        const coerced = options.dialect === 'pm2' ? pm2Coercion(name, value) : null;
        if (coerced) {
          warnings.push(`${options.label}: apps[${i}]${appLabel(app)}.${raw}: ${coerced.note}`);
          entry[name] = coerced.value;
        } else if (options.dialect === 'pm2' && HOME_PATHS.has(name)) {
          const path = pm2Path(name, value);
          if (path !== undefined) entry[name] = path;
        } else if (options.dialect === 'pm2' && ARG_LISTS.has(name)) entry[name] = argTexts(value);
        else entry[name] = name === 'env' ? envOf(name, value) : normaliseValue(name, value);
        continue;
      }
      if (IGNORED.has(key)) {
        ignored.add(key);
        if (!held.ignoredByApp[i]!.includes(key)) held.ignoredByApp[i]!.push(key);
        continue;
      }
      if (options.dialect === 'pm2') unknown.push(raw);
      else entry[raw] = value;
    }
    if (port !== undefined) entry.env = { ...(isTable(entry.env) ? entry.env : {}), PORT: port };
    if (options.dialect === 'pm2' && isPm2ClusterDefault(entry)) entry.exec_mode = 'cluster';
    if (forcesFork) entry.exec_mode = 'fork';
    if (appendsEnv && options.envProfile !== undefined && typeof entry.script === 'string') {
      const name = typeof entry.name === 'string' ? entry.name : deriveName(entry.script);
      entry.name = `${name}-${options.envProfile}`;
      held.namesInFile[i] = name;
    }
    // PM2's disable_logs: the output is written nowhere, whatever log files the app names
    if (disablesLogs) {
      entry.out_file = NULL_DEVICE;
      entry.error_file = NULL_DEVICE;
      delete entry.log_file;
    }
    const who = typeof entry.name === 'string' ? ` (${entry.name})` : '';
    const dateFormat = entry.log_date_format;
    const dateProblem = typeof dateFormat === 'string' ? dateFormatTokensProblem(dateFormat) : null;
    // PM2 stamps an app with `time: true` in its --time format, whatever log_date_format says
    if (entry.time === true && typeof dateFormat === 'string') {
      warnings.push(
        `${options.label}: apps[${i}]${who}: log_date_format ignored: time: true stamps the lines with ISO 8601 UTC times, as PM2's time overrides log_date_format (remove one of the two)`,
      );
    } else if (dateProblem !== null) {
      warnings.push(`${options.label}: apps[${i}].log_date_format: ${dateProblem}`);
    }
    if (jsons.length > 0) {
      warnings.push(
        `${options.label}: apps[${i}]${who}: ${jsons.join(', ')}: an object or list is passed as its JSON text, as PM2 does`,
      );
    }
    if (nulls.length > 0) {
      warnings.push(
        `${options.label}: apps[${i}]${who}: ${nulls.join(', ')}: null is passed as the string "null", as PM2 does`,
      );
    }
    if (unknown.length > 0) {
      const names = unknown.map((key) => {
        const meant = suggestKey(snakeCase(key), options.known);
        return meant === null ? `"${key}"` : `"${key}" (did you mean "${meant}"?)`;
      });
      warnings.push(
        `${options.label}: apps[${i}]${who}: unknown option${names.length > 1 ? 's' : ''} ${names.join(', ')} ignored`,
      );
    }
    return entry;
  });
  if (!options.holdsWarnings && options.warn) tellAppWarnings(held, options.label, options.warn);
  return { apps: out, ignored: [...ignored], held };
}

/**
 * A PM2 file's error names the app too, and the key as the file spells it (`raw` is the document
 * before `normaliseDocument`): `apps[1] (worker).max_memory_restart: …`, not Velos's `max_memory`.
 */
export function withAppName(error: VelosError, label: string, doc: unknown, raw?: unknown): VelosError {
  const data = error.data as { keyPath?: PropertyKey[] } | undefined;
  const path = data?.keyPath;
  if (path?.[0] !== 'apps' || typeof path[1] !== 'number') return error;
  const at = `${label}: apps[${path[1]}]`;
  if (!error.message.startsWith(at)) return error;
  let rest = error.message.slice(at.length);
  let keyPath = path;
  const key = path[2];
  const written = typeof key === 'string' ? writtenKey(rawApps(raw)?.[path[1]], key) : undefined;
  if (written !== undefined && rest.startsWith(`.${String(key)}`)) {
    rest = `.${written}${rest.slice(String(key).length + 1)}`;
    keyPath = [...path.slice(0, 2), written, ...path.slice(3)];
  }
  const name = ((doc as { apps?: unknown[] }).apps?.[path[1]] as { name?: unknown } | undefined)?.name;
  // a name the checks refuse (too long, control characters) is shown quoted and cut, so the message stays one short line
  const shown =
    typeof name !== 'string'
      ? ''
      : ` (${name.length <= 100 && !/[\u0000-\u001f\u007f]/.test(name) ? name : quoteValue(name)})`;
  if (shown === '' && keyPath === path) return error;
  return new VelosError(error.code, `${at}${shown}${rest}`, {
    cause: error.cause,
    data: keyPath === path ? error.data : { ...data, keyPath },
  });
}

/** The app entries of a PM2 document as written: `{apps: [...]}`, `{apps: {...}}`, one bare app, or a list. */
function rawApps(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (!isTable(raw)) return undefined;
  if (isKeyOf(raw, 'apps')) return Array.isArray(raw.apps) ? raw.apps : [raw.apps];
  return isKeyOf(raw, 'script') ? [raw] : undefined;
}

/** The key of a raw app entry that became Velos's `key` (`maxMemoryRestart` for `max_memory`), when it differs. */
function writtenKey(app: unknown, key: string): string | undefined {
  if (!isTable(app) || Object.hasOwn(app, key)) return undefined;
  return Object.keys(app).find((raw) => !/^env_./.test(raw) && configKeyOf(raw) === key);
}

/**
 * A config document with its apps in Velos's keys (see `normaliseApps`); a PM2 file may also be one
 * bare app (`{script, …}`) and carry a `deploy` section, which Velos ignores. The warnings about the
 * file itself are told at once, those about its apps are held in `held` (`tellAppWarnings`), so that a
 * caller tells those of the apps it takes (`--only`).
 */
export function normaliseDocument(
  raw: unknown,
  label: string,
  known: readonly string[],
  ctx: {
    dialect?: ConfigDialect;
    onWarning?: ConfigWarning;
    envProfile?: string;
    appendsEnvToName?: boolean;
  },
): { doc: unknown; held: AppWarnings } {
  const dialect = ctx.dialect ?? 'velos';
  let doc = raw;
  if (dialect === 'pm2' && isKeyOf(doc, 'script') && !isKeyOf(doc, 'apps')) doc = { apps: [doc] };
  if (dialect === 'pm2' && isKeyOf(doc, 'apps')) {
    const { apps: list, deploy, ...others } = doc as Record<string, unknown>;
    if (deploy !== undefined) ctx.onWarning?.(`${label}: "deploy" ignored (Velos does not deploy)`);
    const extra = Object.keys(others);
    if (extra.length > 0)
      ctx.onWarning?.(
        `${label}: unknown top-level key${extra.length > 1 ? 's' : ''} ${extra.join(', ')} ignored`,
      );
    doc = { apps: list !== null && typeof list === 'object' && !Array.isArray(list) ? [list] : list };
  }
  const list = Array.isArray(doc) ? doc : (doc as { apps?: unknown } | null)?.apps;
  if (!Array.isArray(list)) return { doc, held: { byApp: [], ignoredByApp: [], namesInFile: [] } };
  const { apps, held } = normaliseApps(list, {
    dialect,
    label,
    known,
    holdsWarnings: true,
    ...(ctx.envProfile === undefined ? {} : { envProfile: ctx.envProfile }),
    ...(ctx.appendsEnvToName ? { appendsEnvToName: true } : {}),
  });
  return { doc: Array.isArray(doc) ? apps : { ...(doc as object), apps }, held };
}

/** The Velos key a config file's key (any dialect, any case) is read as: `maxMemoryRestart` → `max_memory`. */
export function configKeyOf(raw: string): string {
  const key = snakeCase(raw);
  return ALIASES[key] ?? key;
}

/** `maxMemoryRestart` → `max_memory_restart`; snake_case keys stay as they are. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * PM2 runs an app whose file sets `instances` but no `exec_mode` in cluster mode, as its `-i` does:
 * its instances share one port. So does Velos for several instances (`max`, 0, -1 or 2 and more);
 * `instances: 1` (PM2's old ecosystem template) stays a fork, which runs the app the same way without
 * a cluster primary per app (~45 MB each). Non-Node programs fork anyway; a job never runs in cluster mode.
 */
function isPm2ClusterDefault(entry: Record<string, unknown>): boolean {
  if (entry.exec_mode !== undefined || entry.type === 'job') return false;
  const instances = entry.instances;
  return (
    instances === 'max' ||
    (typeof instances === 'number' && (instances >= 2 || instances === 0 || instances === -1))
  );
}

/** ` (name)` of a raw app entry for a message, '' when it has no string name. */
function appLabel(app: object): string {
  const name = (app as { name?: unknown }).name;
  if (typeof name !== 'string') return '';
  return ` (${name.length <= 100 && !/[\u0000-\u001f\u007f]/.test(name) ? name : quoteValue(name)})`;
}

/** PM2's `port` as the PORT variable's text: a whole number from 1 to 65535, or its digits. */
function portText(value: unknown, where: string): string {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65535)
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${where}: expected a port number from 1 to 65535, got ${quoteValue(value)}`,
    );
  return String(port);
}

/** PM2's `~` and `~/…` in a path: the home directory of the user running `velos` (a JSON or YAML file has no other way to say it). */
function homePath(value: unknown): unknown {
  if (typeof value !== 'string' || !/^~(\/|$)/.test(value)) return value;
  return join(homedir(), value.slice(1));
}

/**
 * A path of a PM2 app: `~` is the home directory; PM2's `NULL` (no file, on any platform) is /dev/null
 * for a log file, and a pid file at NULL or /dev/null is none: the daemon removes an app's pid file
 * when its run ends, and would remove the device.
 */
function pm2Path(key: string, value: unknown): unknown {
  const isNull = value === 'NULL' || value === NULL_DEVICE;
  if (key === 'pid_file' && isNull) return undefined;
  if (key !== 'cwd' && value === 'NULL') return NULL_DEVICE;
  return homePath(value);
}

/** PM2's value of `cron_restart` (and `--cron-restart`) that disables it: 0 or "0". */
function isCronOff(value: unknown): boolean {
  return value === 0 || (typeof value === 'string' && value.trim() === '0');
}

/** `args: ['--port', 3000]` as PM2 runs it: `--port 3000`; anything else in the list stays, for the schema to refuse. */
function argTexts(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((arg) => (typeof arg === 'number' || typeof arg === 'boolean' ? String(arg) : arg));
}

function normaliseValue(key: string, value: unknown): unknown {
  if (key === 'exec_mode' && typeof value === 'string') return value.replace(/_mode$/, '');
  if (key === 'instances' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  // PM2 reads a count written as a string ("max_restarts": "5") as the number
  if (key === 'max_restarts' && typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  return value;
}

/**
 * A PM2 env table as PM2 runs it: null values become "null" (their keys added to `nulls`), objects
 * and lists their JSON text (keys added to `jsons`), undefined ones are left out.
 */
function pm2Env(
  env: Record<string, unknown>,
  key: string,
  nulls: string[],
  jsons: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value === null) {
      nulls.push(`${key}.${name}`);
      out[name] = 'null';
    } else if (typeof value === 'object') {
      jsons.push(`${key}.${name}`);
      out[name] = jsonText(value);
    } else out[name] = value;
  }
  return out;
}

/** JSON text of an env value; one that JSON cannot write (a cycle, a BigInt inside) stays as it is, for the schema to refuse. */
function jsonText(value: object): unknown {
  try {
    return JSON.stringify(value) ?? value;
  } catch {
    return value;
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isKeyOf(doc: unknown, key: string): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && key in doc;
}
