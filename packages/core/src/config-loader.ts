import { basename, dirname, extname, resolve } from 'node:path';
import * as z from 'zod/mini';
import { normalizeAppName } from './app-name.js';
import { appConfigSchema, envValues, type ResolveContext, resolveAppSpec } from './app-schema.js';
import type { AppSpec } from './app-spec.js';
import { countAppEntries } from './config-app-count.js';
import { type CronCheck, cronIssues, entryCronPlaces, loadCronCheck } from './config-crons.js';
import { type FileDefaults, sourceKeyPath, takeFileDefaults, withDefaults } from './config-defaults.js';
import { MAX_CONFIG_DEPTH, tooDeepLine } from './config-depth.js';
import {
  type ConfigIssue,
  configError,
  configIssuesError,
  formatPath,
  issuesOf,
  zodConfigIssues,
} from './config-error.js';
import { CONFIG_PARSE } from './config-issues.js';
import {
  jsonErrorText,
  keyPathLine,
  lineOfOffset,
  quoteValue,
  syntaxErrorLine,
  yamlErrorText,
} from './config-position.js';
import { readConfigText, refuseOversized } from './config-read.js';
import { envLiteralError } from './env-literal.js';
import { ErrorCodes, VelosError } from './errors.js';
import { findDuplicateJsonKey } from './json-duplicate-key.js';
import { optionHint, optionMessage } from './option-hint.js';
import { findPayloadBreach, PAYLOAD_LIMITS } from './payload-limits.js';
import {
  type ConfigDialect,
  type ConfigWarning,
  dialectOf,
  normaliseDocument,
  PM2_APP_DEFAULTS,
  tellAppWarnings,
  withAppName,
} from './pm2-dialect.js';
import { processEntryToApp, processesFileSchema } from './processes-form.js';
import { relaxJson } from './relaxed-json.js';
import { badMergeKeyLine } from './yaml-merge-line.js';

/** File extensions `velos start` treats as config files. */
export const CONFIG_EXTENSIONS = ['.toml', '.yaml', '.yml', '.json'] as const;

const configFileSchema = z.strictObject({
  apps: z.array(appConfigSchema).check(z.minLength(1, 'expected at least one app')),
});

/** True when a path names a config file Velos can load (by extension). */
export function isConfigFile(path: string): boolean {
  return (CONFIG_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** What loading a config file needs besides the file. */
export interface LoadConfigOptions extends Omit<ResolveContext, 'baseDir'> {
  /** An env profile: each app's `env_<profile>` table is merged over its `env` (`velos start --env <profile>`). */
  envProfile?: string;
  /** `--append-env-to-name`: each app's name takes `-<envProfile>` (PM2's `append_env_to_name: true`). */
  appendsEnvToName?: boolean;
  /** CFG-2: `[defaults]` of `$VELOS_HOME/config.toml` (config keys), under each app's own keys. */
  defaults?: Record<string, unknown>;
  /** How unknown keys are treated; by default from the file name (PM2's process file names: `pm2`). */
  dialect?: ConfigDialect;
  /** Receives the warnings of a `pm2` dialect file (unknown and ignored options); the load goes on. */
  onWarning?: ConfigWarning;
  /**
   * `--only a,b` (names as the apps have them, NFC): the warnings about apps are told of these apps
   * only (those about the file itself still are); every app is still read and checked.
   */
  only?: readonly string[];
  /**
   * Checks the cron expressions (`cron_restart`, `schedule`, `log_rotate_cron`) with the scheduler's
   * parser (`loadCronCheck`), bad ones listed with the other problems; `loadConfigFile` sets it.
   */
  checkCron?: CronCheck;
}

// `env_file` is an option (files of variables), not a profile named "file"
const PROFILE_KEY = /^env_(?!file$)([A-Za-z0-9_.-]+)$/;

/**
 * Reads, parses and validates a TOML, YAML or JSON config file into complete `AppSpec`s.
 * Errors name the file, the path inside it and what was expected.
 */
export async function loadConfigFile(path: string, ctx: LoadConfigOptions): Promise<AppSpec[]> {
  const file = resolve(path);
  if (/\.[cm]?js$/i.test(file)) {
    // an ecosystem file is code: it runs in the velos CLI (apps/cli/src/pm2), never in the daemon
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${basename(file)}: a JavaScript config file is loaded by the velos CLI (velos start ${basename(file)}), not here`,
    );
  }
  const text = readConfigText(file);
  const raw = await parseConfigText(text, file);
  // croner loads only for a file (or defaults) that may hold a cron expression
  const hasCron = /cron|schedule/i.test(text) || /cron|schedule/i.test(JSON.stringify(ctx.defaults ?? {}));
  const checkCron = ctx.checkCron ?? (hasCron ? await loadCronCheck() : undefined);
  const dialect = ctx.dialect ?? dialectOf(file);
  let specs: AppSpec[];
  try {
    specs = validateConfig(raw, basename(file), {
      ...ctx,
      dialect,
      baseDir: dirname(file),
      ...(checkCron === undefined ? {} : { checkCron }),
    });
  } catch (error) {
    throw await withLine(error, text, file);
  }
  // PM2's files pass String(value) as PM2 does; a Velos file's `V = 1.10` is refused rather than sent as "1.1"
  const literal = dialect === 'pm2' ? null : await envLiteralError(raw, text, file);
  if (literal !== null) throw literal;
  return specs;
}

/**
 * CFG-2: adds the file and the line of the offending key to a validation error (`… (line 7)`), in
 * its message and data; `ext` is the format the text is read as (by default the file's extension).
 */
export async function withLine(
  error: unknown,
  text: string,
  file: string,
  ext = extname(file),
): Promise<unknown> {
  if (!(error instanceof VelosError)) return error;
  const data = (error.data ?? {}) as { keyPath?: PropertyKey[]; line?: unknown; issues?: unknown };
  if (!Array.isArray(data.keyPath) || typeof data.line === 'number') return error;
  const format = ext.toLowerCase();
  // a one-line document (JSON written by a program) gains nothing from a line number in the message
  const isOneLine = !text.trim().includes('\n');
  const lined = async (issue: ConfigIssue): Promise<ConfigIssue> => {
    const line = typeof issue.line === 'number' ? issue.line : await keyPathLine(text, issue.keyPath, format);
    if (line === null || typeof issue.line === 'number') return issue;
    return { ...issue, message: isOneLine ? issue.message : `${issue.message} (line ${line})`, line };
  };
  const line = await keyPathLine(text, data.keyPath, format);
  if (line === null) return error;
  const issues = Array.isArray(data.issues) ? await Promise.all(issuesOf(error).map(lined)) : undefined;
  return new VelosError(error.code, isOneLine ? error.message : `${error.message} (line ${line})`, {
    cause: error.cause,
    data: { ...data, file, line, ...(issues ? { issues } : {}) },
  });
}

/** Validates an already parsed config document (`{apps: [...]}`, a bare array, or `{processes: [...]}`). */
export function validateConfig(
  document: unknown,
  label: string,
  ctx: ResolveContext & Omit<LoadConfigOptions, keyof ResolveContext>,
): AppSpec[] {
  if (document === null || typeof document !== 'object') {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: apps: expected a list of apps ([[apps]] tables, "apps:" or {"apps": [...]}), got ${quoteValue(document)}`,
      { data: { keyPath: ['apps'] } },
    );
  }
  // far too many apps are refused before the work done per app (a JavaScript file is counted only here)
  refuseTooManyApps(document, label);
  // OBS-3: a file's `[[alerts]]` are read by `loadConfigAlerts` (alert-rules.ts), not by the app schema.
  const raw = withoutExtensions(
    hasKey(document, 'alerts') ? withoutKey(document as Record<string, unknown>, 'alerts') : document,
  );
  // CFG-1: a Velos file's `[defaults]`, under its apps' own keys (over config.toml's); PM2 files have none
  const taken: FileDefaults = ctx.dialect === 'pm2' ? { doc: raw, issues: [] } : takeFileDefaults(raw, label);
  const body = taken.doc;
  if (ctx.dialect !== 'pm2') refuseTopLevelApp(body, label);
  const isProcessesForm = hasKey(body, 'processes');
  const listKey = isProcessesForm ? 'processes' : 'apps';
  const file = { label, listKey, taken, raw };
  if (isProcessesForm) return resolveApps(appsFromProcesses(body, label), file, ctx).specs;
  const { doc: apps, held } = normaliseDocument(body, label, Object.keys(appConfigSchema.def.shape), ctx);
  // the apps' warnings wait for their names: `--only a` tells a's; a file refused tells them all
  let resolved: ResolvedApps;
  try {
    resolved = resolveApps(apps, file, ctx);
  } catch (error) {
    if (ctx.onWarning) tellAppWarnings(held, label, ctx.onWarning);
    throw error;
  }
  const { specs, profiled } = resolved;
  specs.forEach((spec, i) => {
    const inFile = held.namesInFile[i];
    if (inFile !== undefined) NAMES_IN_FILE.set(spec, normalizeAppName(inFile));
  });
  const only = ctx.only;
  const isTold = (i: number): boolean => only === undefined || isSelected(specs[i]!, only);
  if (ctx.onWarning) tellAppWarnings(held, label, ctx.onWarning, isTold);
  // PM2 starts an app without the --env profile with its env, and warns of each such app: said of
  // the apps taken, as an app that lacks the table is as likely a typo as a file that lacks it
  const profile = ctx.envProfile;
  if (profile !== undefined && ctx.dialect === 'pm2' && ctx.onWarning) {
    specs.forEach((spec, i) => {
      if (!isTold(i) || profiled[i]) return;
      ctx.onWarning?.(
        `${label}: apps[${i}] (${nameInFile(spec)}): no env_${profile} table (from --env ${profile}); its env used`,
      );
    });
  }
  return specs;
}

/** The names the files gave the apps whose name took their `--env` profile (PM2's `append_env_to_name`). */
const NAMES_IN_FILE = new WeakMap<AppSpec, string>();

/**
 * The name the config file gives an app that `validateConfig` read: its name, but for an app whose
 * name took the `--env` profile (`append_env_to_name`): `api` for `api-production`.
 */
export function nameInFile(spec: AppSpec): string {
  return NAMES_IN_FILE.get(spec) ?? spec.name;
}

/**
 * Whether `--only` names the app: by its name, or as PM2 selects, by the name the file gives it
 * (`--only api --env production` is `api-production` under `append_env_to_name`).
 */
export function isSelected(spec: AppSpec, only: readonly string[]): boolean {
  return only.includes(spec.name) || only.includes(nameInFile(spec));
}

/** The apps of a file as specs, and which of them have the `--env` profile's table. */
interface ResolvedApps {
  specs: AppSpec[];
  profiled: boolean[];
}

/** The apps of a file (normalised, `[defaults]` taken out) as specs, or the error of every problem found. */
function resolveApps(
  apps: unknown,
  file: { label: string; listKey: string; taken: FileDefaults; raw: unknown },
  ctx: ResolveContext & Omit<LoadConfigOptions, keyof ResolveContext>,
): ResolvedApps {
  const { label, listKey, taken, raw } = file;

  /** The apps of a file (normalised, `[defaults]` taken out) as specs, or the error of every problem found. */
  const split = splitProfiles(Array.isArray(apps) ? { apps } : apps, label);
  const { profiles } = split;
  const ownApps = (split.doc as { apps?: unknown } | null)?.apps;
  // a PM2 file's apps stop with PM2's SIGINT unless a layer above says otherwise
  const dialectDefaults = ctx.dialect === 'pm2' ? { ...PM2_APP_DEFAULTS } : undefined;
  const doc = withDefaults(split.doc, [dialectDefaults, ctx.defaults, taken.defaults]);
  // an issue of a key the app takes from the file's [defaults] is found there
  const located = (issue: ConfigIssue): ConfigIssue => {
    const keyPath = sourceKeyPath(issue.keyPath, ownApps, taken.defaults);
    return keyPath === null ? issue : { message: `${issue.message} (from [defaults])`, keyPath };
  };
  const entries = (doc as { apps?: unknown } | null)?.apps;
  const limits = appLimitIssues(entries, label, listKey);
  // an app over a limit is reported by it alone; the schema's issues of the others come with it
  const isOverLimit = (issue: ConfigIssue): boolean =>
    limits.some((limit) => limit.keyPath[1] === issue.keyPath[1] && issue.keyPath[0] === listKey);
  const crons =
    ctx.checkCron && Array.isArray(entries)
      ? cronIssues(entryCronPlaces(entries), ctx.checkCron, label, listKey)
          .filter((issue) => !isOverLimit(issue))
          .map(located)
      : [];
  const result = configFileSchema.safeParse(doc, CONFIG_PARSE);
  if (!result.success) {
    const issues = zodConfigIssues(label, result.error, doc, configFileSchema)
      .filter((issue) => !isOverLimit(issue))
      .map(located);
    const named = ctx.dialect === 'pm2' ? issues.map((issue) => pm2Named(issue, label, doc, raw)) : issues;
    throw configIssuesError([...taken.issues, ...limits, ...named, ...crons]);
  }
  const problems: ConfigIssue[] = [...taken.issues, ...limits];
  const resolved = result.data.apps.map((app, i) => {
    try {
      return resolveAppSpec(app, ctx);
    } catch (error) {
      if (!(error instanceof VelosError)) throw error;
      const { key, why, name } = (error.data ?? {}) as { key?: unknown; why?: unknown; name?: unknown };
      const message =
        typeof key === 'string' && typeof why === 'string'
          ? `${label}: ${listKey}[${i}] (${String(name)}).${key}: ${why}`
          : `${label}: ${error.message}`;
      problems.push(
        located({ message, keyPath: typeof key === 'string' ? [listKey, i, key] : [listKey, i] }),
      );
      return null;
    }
  });
  problems.push(...crons);
  if (problems.length > 0) throw configIssuesError(problems);
  const specs = resolved.filter((spec): spec is AppSpec => spec !== null);
  const profile = ctx.envProfile;
  if (profile !== undefined) applyProfile(specs, profiles, profile, label, ctx.dialect === 'pm2');
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    if (seen.has(spec.name)) {
      // a name the file does not write comes from the script: say so, it is not in the file to find
      const hint =
        result.data.apps[i]?.name === undefined ? ' (taken from the script: give each app a name)' : '';
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${label}: ${listKey}[${i}].name: expected a unique name, "${spec.name}" is used twice${hint}`,
        { data: { keyPath: [listKey, i, 'name'] } },
      );
    }
    seen.add(spec.name);
  });
  return {
    specs,
    profiled: specs.map((_, i) => profile !== undefined && profiles[i]?.[profile] !== undefined),
  };
}

/** An issue of a PM2 file named as `withAppName` names its error: the app's name, the key as written. */
function pm2Named(issue: ConfigIssue, label: string, doc: unknown, raw: unknown): ConfigIssue {
  const error = new VelosError(ErrorCodes.INVALID_CONFIG, issue.message, {
    data: { keyPath: issue.keyPath },
  });
  const named = withAppName(error, label, doc, raw);
  const keyPath = (named.data as { keyPath?: PropertyKey[] } | undefined)?.keyPath ?? issue.keyPath;
  return { message: named.message, keyPath };
}

/**
 * The `processes:` form (SUP-10, the log-inactivity watchdog seed) as apps: each command runs with a
 * watchdog on its log file; bare numbers there are seconds. A file with `apps` too is refused.
 */
function appsFromProcesses(raw: unknown, label: string): Record<string, unknown>[] {
  if (hasKey(raw, 'apps')) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: processes: expected either "apps" or "processes", not both (they describe apps in two forms)`,
      { data: { keyPath: ['processes'] } },
    );
  }
  const processes = (raw as { processes?: unknown }).processes;
  if (processes !== null && typeof processes === 'object' && !Array.isArray(processes)) {
    // process-compose writes `processes:` as a map of names; its keys and defaults differ from this form's
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: processes: expected a list (- name: web, command: "…"), got a map of names as process-compose writes it, which Velos does not read: write each process as an "apps:" entry (name, script: its command), see docs/configuration.md`,
      { data: { keyPath: ['processes'] } },
    );
  }
  const result = processesFileSchema.safeParse(raw, CONFIG_PARSE);
  if (!result.success) throw configError(label, result.error, raw, processesFileSchema);
  return result.data.processes.map(processEntryToApp);
}

/**
 * The daemon's payload limits (PAYLOAD_LIMITS: entries, string and key lengths, depth) checked on each
 * app entry here, so that a file the daemon would refuse is refused naming the file and the key: the
 * first breach of each app, listed with the file's other problems (too many apps are refused before).
 */
function appLimitIssues(apps: unknown, label: string, listKey: string): ConfigIssue[] {
  if (!Array.isArray(apps)) return [];
  return apps.flatMap((app, i) => {
    const breach = findPayloadBreach(app);
    if (breach === null) return [];
    const path = [listKey, i, ...breach.path];
    return [{ message: `${label}: ${formatPath(path)}: ${breach.message}`, keyPath: path }];
  });
}

/** Throws for a document of more apps than the daemon takes in one start (its list, or a bare list). */
function refuseTooManyApps(document: object, label: string): void {
  const listKey = hasKey(document, 'processes') ? 'processes' : 'apps';
  const apps = Array.isArray(document) ? document : (document as Record<string, unknown>)[listKey];
  if (!Array.isArray(apps) || apps.length <= PAYLOAD_LIMITS.maxAppsPerStart) return;
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${label}: ${listKey}: ${apps.length} apps, at most ${PAYLOAD_LIMITS.maxAppsPerStart} in one file`,
    { data: { keyPath: [listKey] } },
  );
}

/** How each format writes a list of apps, for a file that writes one app's keys at its top. */
const APPS_LIST_FORM: Record<string, string> = {
  '.toml': 'under an [[apps]] header',
  '.yaml': 'in an "apps:" list (- name: …)',
  '.yml': 'in an "apps:" list (- name: …)',
  '.json': 'in {"apps": [{…}]}',
};

/**
 * A Velos file with one app's keys at its top (`name = …` and `script = …`, no `[[apps]]`) is told where
 * they go in one line, not as a missing `apps` beside each of its keys unknown at the top.
 */
function refuseTopLevelApp(doc: unknown, label: string): void {
  if (!hasKey(doc, 'script') || hasKey(doc, 'apps') || hasKey(doc, 'processes')) return;
  const keys = Object.keys(doc as object);
  const named = `${keys
    .slice(0, 3)
    .map((key) => `"${key}"`)
    .join(', ')}${keys.length > 3 ? '…' : ''}`;
  const form = APPS_LIST_FORM[extname(label).toLowerCase()] ?? 'in an "apps" list';
  const are = keys.length === 1 ? 'is a key' : 'are the keys';
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${label}: apps: required; ${named} ${are} of an app, written at the top of the file: put ${keys.length === 1 ? 'it' : 'them'} ${form}`,
    { data: { keyPath: [keys[0]!] } },
  );
}

function withoutKey(doc: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _left, ...rest } = doc;
  return rest;
}

/**
 * The document without its top-level `x-…` keys: extension fields, as docker-compose and
 * process-compose files keep YAML anchors there (`x-common: &common`), ignored in every format.
 */
function withoutExtensions(doc: unknown): unknown {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const keys = Object.keys(doc);
  if (!keys.some((key) => key.startsWith('x-'))) return doc;
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !key.startsWith('x-')));
}

function hasKey(doc: unknown, key: string): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && key in doc;
}

/**
 * Takes the `env_<profile>` keys (PM2's env profiles) out of every app entry, validated, so that the
 * strict app schema still rejects every other unknown key.
 */
function splitProfiles(
  doc: unknown,
  label: string,
): { doc: unknown; profiles: Record<string, Record<string, string>>[] } {
  const apps = (doc as { apps?: unknown } | null)?.apps;
  if (!Array.isArray(apps)) return { doc, profiles: [] };
  const profiles: Record<string, Record<string, string>>[] = [];
  const stripped = apps.map((app, i) => {
    const own: Record<string, Record<string, string>> = {};
    profiles.push(own);
    if (app === null || typeof app !== 'object' || Array.isArray(app)) return app;
    const rest: Record<string, unknown> = Object.create(null);
    for (const [key, value] of Object.entries(app)) {
      const profile = PROFILE_KEY.exec(key)?.[1];
      if (profile === undefined) {
        rest[key] = value;
        continue;
      }
      const parsed = envValues.safeParse(value);
      if (!parsed.success) {
        const name = (app as { name?: unknown }).name;
        // the app's name as the file writes it (one the name checks refuse is quoted)
        const who = typeof name !== 'string' ? '' : ` (${isPlainName(name) ? name : quoteValue(name)})`;
        throw new VelosError(
          ErrorCodes.INVALID_CONFIG,
          `${label}: apps[${i}]${who}.${key}: expected a table of environment variables, got ${quoteValue(value)}`,
          { data: { keyPath: ['apps', i, key] } },
        );
      }
      own[profile] = parsed.data;
    }
    return rest;
  });
  return { doc: { ...(doc as object), apps: stripped }, profiles };
}

/** Merges each app's `env_<profile>` over its env; `--env` of a profile no app has refuses a Velos file. */
function applyProfile(
  specs: AppSpec[],
  profiles: Record<string, Record<string, string>>[],
  profile: string,
  label: string,
  isPm2: boolean,
): void {
  // PM2 starts an app without the profile with its env (validateConfig warns of each); a Velos file is refused
  if (!isPm2 && !profiles.some((own) => own[profile] !== undefined)) {
    const { message, options } =
      optionMessage`${label}: no app has an env_${profile} table (from ${optionHint('envProfile', profile, { flag: '--env' })})`;
    throw new VelosError(ErrorCodes.INVALID_CONFIG, message, { data: { keyPath: ['apps'], options } });
  }
  specs.forEach((spec, i) => {
    const env = profiles[i]?.[profile];
    if (env) {
      spec.env = { ...spec.env, ...env };
      spec.ownEnv = { ...spec.ownEnv, ...env };
    }
  });
}

/**
 * Parses a config file's text by its extension (TOML, YAML, JSON), a leading byte order mark skipped; a
 * syntax error names the file and line.
 * The YAML and TOML parsers load only for their own formats (yaml alone costs ~35 ms to import).
 */
export async function parseConfigText(raw: string, file: string): Promise<unknown> {
  // a byte order mark (Notepad writes one) is no part of the document: TOML and YAML skipped it, JSON refused it
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const ext = extname(file).toLowerCase();
  refuseOversized(text.length, file);
  // far too many apps are refused before a parse that takes seconds per ten thousand of them
  const entries = countAppEntries(text, ext);
  if (entries !== null && entries.count > PAYLOAD_LIMITS.maxAppsPerStart) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${basename(file)}: ${entries.key}: ${entries.count} apps, at most ${PAYLOAD_LIMITS.maxAppsPerStart} in one file (line ${entries.line})`,
      { data: { file, keyPath: [entries.key], line: entries.line } },
    );
  }
  const isPm2Json = ext === '.json' && dialectOf(file) === 'pm2';
  const source = isPm2Json ? relaxJson(text) : text;
  const deepAt = tooDeepLine(text, ext === '.yaml' || ext === '.yml');
  if (deepAt !== null) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${basename(file)}: not valid ${ext.slice(1).toUpperCase() || 'config'}: nested deeper than ${MAX_CONFIG_DEPTH} levels (line ${deepAt})`,
      { data: { file, line: deepAt } },
    );
  }
  let parsed: unknown;
  try {
    if (ext === '.toml') return parserOf(await import('smol-toml'))(text);
    // merge keys (`<<: *common`), as docker-compose and process-compose files use them
    if (ext === '.yaml' || ext === '.yml') {
      const yaml = await import('yaml');
      const document = yamlParserOf(yaml)(text, { merge: true });
      // yaml reads on past a syntax error: the file's errors are reported together
      if (document.errors.length > 1) throw syntaxErrors(document.errors, ext, text, file);
      if (document.errors.length === 1) throw document.errors[0];
      try {
        return document.toJS();
      } catch (cause) {
        // a merge key whose value is no map (`<<: ""`) is found only here, with no position: give it one
        const line = badMergeKeyLine(yaml, document, text);
        throw line === null ? cause : Object.assign(new Error((cause as Error).message, { cause }), { line });
      }
    }
    // PM2 evaluates its JSON files as JavaScript: their comments and trailing commas pass there
    if (ext === '.json') parsed = JSON.parse(source);
  } catch (cause) {
    if (cause instanceof VelosError) throw cause;
    const { message, line } = syntaxProblem(cause, ext, source, file, isPm2Json);
    throw new VelosError(ErrorCodes.INVALID_CONFIG, message, {
      cause,
      data: { file, ...(line !== null ? { line } : {}) },
    });
  }
  if (ext === '.json') {
    refuseDuplicateKey(source, basename(file), file);
    return parsed;
  }
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${basename(file)}: unsupported config format (expected ${CONFIG_EXTENSIONS.join(', ')})`,
  );
}

/**
 * A JSON file that writes a key twice in one object is refused, as YAML and TOML files are:
 * JSON.parse keeps the last value silently, so the first one the file shows would not be the one used.
 */
function refuseDuplicateKey(source: string, label: string, file: string): void {
  const duplicate = findDuplicateJsonKey(source);
  if (duplicate === null) return;
  const { key, path, offset } = duplicate;
  const line = lineOfOffset(source, offset);
  const where = path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${label}: not valid JSON: key ${JSON.stringify(key)} written twice ${where} (line ${line})`,
    { data: { file, line, keyPath: [...path, key] } },
  );
}

/** One syntax error as a line (file, the parser's words, the line) and its line. */
function syntaxProblem(
  cause: unknown,
  ext: string,
  source: string,
  file: string,
  isPm2Json: boolean,
): { message: string; line: number | null } {
  const message = cause instanceof Error ? cause.message : String(cause);
  const first =
    ext === '.json'
      ? jsonErrorText(message)
      : ((ext === '.yaml' || ext === '.yml' ? yamlErrorText(cause) : null) ?? message.split('\n')[0] ?? '');
  // yaml ends its first line with `at line 4, column 1:` before a picture of the line
  const trimmed = first.replace(/:\s*$/, '');
  const detail = trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
  const line = syntaxErrorLine(cause, source);
  const where = line !== null && !/line \d/.test(detail) ? ` (line ${line})` : '';
  const hint = isPm2Json ? PM2_JSON_HINT : '';
  return {
    message: `${basename(file)}: not valid ${ext.slice(1).toUpperCase()}: ${detail}${where}${hint}`,
    line,
  };
}

/**
 * The syntax errors of a file whose parser reports several (yaml): one INVALID_CONFIG error, the
 * first as its message, every one (at most MAX_CONFIG_ISSUES) in `data.issues` with its line.
 */
function syntaxErrors(causes: readonly unknown[], ext: string, text: string, file: string): VelosError {
  const problems = causes.map((cause) => syntaxProblem(cause, ext, text, file, false));
  const issues = problems.map(({ message, line }) => ({
    message,
    keyPath: [],
    ...(line === null ? {} : { line }),
  }));
  const error = configIssuesError(issues);
  const { line } = problems[0]!;
  return new VelosError(error.code, error.message, {
    cause: causes[0],
    data: { ...(error.data as object), file, ...(line === null ? {} : { line }) },
  });
}

const PM2_JSON_HINT =
  '; comments and trailing commas are taken, other JavaScript (quotes other than ", unquoted keys) is not: rename the file ecosystem.config.js to keep it';

type Parse = (text: string, options?: object) => unknown;
type ParseDocument = (text: string, options?: object) => { errors: unknown[]; toJS(): unknown };

// yaml's `parseDocument`, which keeps every error of the file (its `parse` throws the first)
function yamlParserOf(mod: { parseDocument?: ParseDocument; default?: { parseDocument?: ParseDocument } }) {
  const parse = mod.parseDocument ?? mod.default?.parseDocument;
  if (!parse) throw new Error('the yaml module has no parseDocument function');
  return parse;
}

// A bundler may hand a CommonJS package (yaml) to `import()` as `{ default: module }` only.
function parserOf(mod: { parse?: Parse; default?: { parse?: Parse } }): Parse {
  const parse = mod.parse ?? mod.default?.parse;
  if (!parse) throw new Error('the parser module has no parse function');
  return parse;
}

function isPlainName(name: string): boolean {
  return name.length <= 100 && !/[\u0000-\u001f\u007f]/.test(name);
}
