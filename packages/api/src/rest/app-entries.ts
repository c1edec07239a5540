import { dirname, isAbsolute } from 'node:path';
import { type AppSpec, ErrorCodes, formatPayloadPath, isVelosError, VelosError } from '@velos/core';
import type { RouteContext } from './route-types.js';

// The label the loader's messages start with; swapped for the app's own place in the body.
const LABEL = 'body';
// A cwd no app can have: an app resolved against it named no cwd of its own.
export const NO_CWD = '/.velos-api-cwd-not-given';

/**
 * The `apps` of a `POST /processes` body as complete AppSpecs: an entry written as a config file's
 * app (snake_case keys: `{name, script, args, instances, env…}`) is resolved by the core config
 * loader, as `velos start` reads a file, with every default filled; an entry carrying a field only a
 * resolved AppSpec has (`interpreterArgs`, `minUptimeMs`…) is passed on as it is. A config entry
 * needs an absolute `cwd`, or an absolute script path (its directory is then the cwd): the API
 * server's own directory means nothing to a remote client.
 */
export async function resolveAppEntries(apps: unknown, ctx: RouteContext): Promise<unknown> {
  if (!Array.isArray(apps) || !apps.some(isConfigEntryCandidate)) return apps;
  const [loader, schemas] = await Promise.all([import('@velos/core/config'), import('@velos/core/schemas')]);
  const configKeys = new Set(Object.keys(loader.appConfigSchema.def.shape));
  const specOnlyKeys = new Set(
    Object.keys(schemas.appSpecSchema.def.shape).filter((k) => !configKeys.has(k)),
  );
  const isSpec = (entry: Record<string, unknown>): boolean =>
    Object.keys(entry).some((key) => specOnlyKeys.has(key));
  const specs = apps.map((entry) => isConfigEntryCandidate(entry) && isSpec(entry));
  // croner loads only for a body with a cron expression, in either form
  const hasCron = loader.entryCronPlaces(apps).length > 0 || specCronPlaces(apps, specs).length > 0;
  const checkCron = hasCron ? await loader.loadCronCheck() : undefined;
  const failures: VelosError[] = [];
  const resolved = apps.map((entry, i) => {
    if (!isConfigEntryCandidate(entry) || specs[i]) return entry;
    try {
      return resolveEntry(entry, i, loader, ctx, checkCron);
    } catch (error) {
      if (!isVelosError(error)) throw error;
      failures.push(error);
      return entry;
    }
  });
  // a complete AppSpec's cron expressions, checked here too: refused before anything starts
  const cronIssues = checkCron
    ? loader.cronIssues(specCronPlaces(apps, specs), checkCron, LABEL).map((issue) => ({
        message: issue.message.slice(`${LABEL}: `.length),
        keyPath: issue.keyPath,
      }))
    : [];
  if (failures.length === 0 && cronIssues.length === 0) return resolved;
  throw bodyIssuesError(failures, cronIssues);
}

type Loader = typeof import('@velos/core/config');

/** One problem of a `POST /processes` body: its one-line message (`apps[1] (web).cron_restart: …`) and its key path. */
interface BodyIssue {
  message: string;
  keyPath: PropertyKey[];
}

/** The cron expressions of the entries that are complete AppSpecs (`cronRestart`, `schedule`, `logRotateCron`). */
function specCronPlaces(apps: unknown[], specs: boolean[]) {
  return apps.flatMap((entry, index) => {
    if (!specs[index]) return [];
    const spec = entry as Record<string, unknown>;
    const name = typeof spec.name === 'string' && spec.name.length <= 100 ? spec.name : undefined;
    return (['cronRestart', 'schedule', 'logRotateCron'] as const).flatMap((key) => {
      const expression = spec[key];
      return typeof expression === 'string' && expression !== '' ? [{ index, name, key, expression }] : [];
    });
  });
}

/**
 * One error for every problem of the body's apps (the entries' errors, each moved to its place, then
 * the AppSpecs' bad cron expressions): the first one's code and message, `data.field` its place, and
 * `data.issues` all of them.
 */
function bodyIssuesError(failures: VelosError[], cronIssues: BodyIssue[]): VelosError {
  // in the order of the apps (sort is stable: an entry's own issues keep theirs)
  const issues = [...failures.flatMap(issuesOfEntry), ...cronIssues].sort(
    (a, b) => Number(a.keyPath[1] ?? 0) - Number(b.keyPath[1] ?? 0),
  );
  const head = issues[0]!;
  const first = failures.find((failure) => failure.message === head.message) ?? failures[0];
  const field = formatPayloadPath(head.keyPath);
  return new VelosError(first?.code ?? ErrorCodes.INVALID_ARGUMENT, head.message, {
    data: { field, keyPath: head.keyPath, issues },
    ...(first ? { cause: first } : {}),
  });
}

/** The issues of an entry's error (see `atEntry`): its `data.issues`, or the error as the one issue. */
function issuesOfEntry(error: VelosError): BodyIssue[] {
  const data = (error.data ?? {}) as { issues?: unknown; keyPath?: unknown; field?: unknown };
  if (Array.isArray(data.issues) && data.issues.length > 0) return data.issues as BodyIssue[];
  const keyPath = Array.isArray(data.keyPath)
    ? (data.keyPath as PropertyKey[])
    : typeof data.field === 'string'
      ? [data.field]
      : [];
  return [{ message: error.message, keyPath }];
}

function resolveEntry(
  entry: Record<string, unknown>,
  i: number,
  loader: Loader,
  ctx: RouteContext,
  checkCron: ((expression: string) => string | null) | undefined,
) {
  const { script, cwd } = entry;
  // a script that is a file's absolute path (no command line) places an app without a cwd; the
  // base directory is the one relative paths (env_file too) resolve against
  const isPlacedByScript =
    cwd === undefined && typeof script === 'string' && isAbsolute(script) && !/\s/.test(script);
  const baseDir =
    typeof cwd === 'string' && isAbsolute(cwd) ? cwd : isPlacedByScript ? dirname(script) : NO_CWD;
  let spec: AppSpec | undefined;
  try {
    [spec] = loader.validateConfig({ apps: [entry] }, LABEL, {
      baseDir,
      baseEnv: ctx.start.env,
      cpuCount: ctx.start.cpuCount,
      ...(checkCron === undefined ? {} : { checkCron }),
    });
  } catch (error) {
    throw atEntry(error, i);
  }
  if (spec === undefined || spec.cwd === NO_CWD || spec.cwd.startsWith(`${NO_CWD}/`)) {
    const field = `apps[${i}].cwd`;
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `${field}: expected an absolute directory, or an absolute script path (its directory is then the cwd), got ${cwd === undefined ? 'none' : JSON.stringify(cwd)}: the API server's own directory means nothing to a remote client`,
      { data: { field, keyPath: ['apps', i, 'cwd'] } },
    );
  }
  return spec;
}

/**
 * A loader error about the one-app document `{apps: [entry]}`, moved to the entry's place `apps[i]`:
 * its message, `field`, `keyPath` and each of its `issues`.
 */
function atEntry(error: unknown, i: number): unknown {
  if (!isVelosError(error)) return error;
  const data = (error.data ?? {}) as { keyPath?: unknown[]; issues?: unknown };
  const moved = (keyPath: unknown): PropertyKey[] => [
    'apps',
    i,
    ...((Array.isArray(keyPath) ? keyPath.slice(2) : []) as PropertyKey[]),
  ];
  const keyPath = moved(data.keyPath);
  const issues = Array.isArray(data.issues)
    ? (data.issues as BodyIssue[]).map((issue) => ({
        message: atEntryMessage(issue.message, i),
        keyPath: moved(issue.keyPath),
      }))
    : undefined;
  return new VelosError(error.code, atEntryMessage(error.message, i), {
    data: { ...data, field: formatPayloadPath(keyPath), keyPath, ...(issues ? { issues } : {}) },
    cause: error,
  });
}

/** `body: apps[0] (web).cron_restart: …` of the one-app document as `apps[i] (web).cron_restart: …`. */
function atEntryMessage(message: string, i: number): string {
  const prefix = `${LABEL}: apps[0]`;
  return message.startsWith(prefix)
    ? `apps[${i}]${message.slice(prefix.length)}`
    : `apps[${i}]: ${message.replace(`${LABEL}: `, '')}`;
}

function isConfigEntryCandidate(entry: unknown): entry is Record<string, unknown> {
  return entry !== null && typeof entry === 'object' && !Array.isArray(entry);
}
