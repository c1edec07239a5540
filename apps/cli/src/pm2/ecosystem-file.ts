import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import {
  type AppSpec,
  ErrorCodes,
  isVelosError,
  LOG_DIR_MODE,
  normalizeAppName,
  VelosError,
} from '@velos/core';
import type { LoadConfigOptions } from '@velos/core/config';
import { evaluateProcessFile } from './evaluate-process-file.js';

type ConfigModule = typeof import('@velos/core/config');

// PM2 recognises a JavaScript process file by its name: ecosystem.config.js, ecosystem.js, app.config.cjs…
const JS_CONFIG = /(^ecosystem([.-][\w.-]*)?|\.config)\.[cm]?js$/i;

/** True when `path` names a PM2 JavaScript process file (`ecosystem.config.js`, `*.config.{js,cjs,mjs}`). */
export function isEcosystemScript(path: string): boolean {
  return JS_CONFIG.test(basename(path));
}

/**
 * Loads a PM2 JavaScript process file in this (the CLI's) process, never in the daemon: CommonJS
 * `module.exports = {apps}` or an ES module's default export (or an `apps` export), an `apps` array
 * or one bare app; then the apps are validated like a PM2 JSON file (unknown keys warn). The file's
 * run is bounded and what it prints goes to stderr (`evaluateProcessFile`).
 */
export async function loadEcosystemScript(
  file: string,
  options: LoadConfigOptions,
  config: ConfigModule,
  perCpu?: (names: string[]) => void,
): Promise<AppSpec[]> {
  const label = basename(file);
  // a missing file is one line, as a missing script is, not the import's error about a module
  if (!statSync(file, { throwIfNoEntry: false })) {
    throw new VelosError(ErrorCodes.CONFIG_NOT_FOUND, `process file not found: ${file}`, { data: { file } });
  }
  let module: Record<string, unknown>;
  try {
    module = await evaluateProcessFile(file, label);
  } catch (cause) {
    if (isVelosError(cause)) throw cause;
    throw new VelosError(ErrorCodes.INVALID_CONFIG, `${label}: ${loadFailure(cause, file)}`, { cause });
  }
  const exported = module.default ?? (module.apps === undefined ? undefined : { apps: module.apps });
  if (exported === undefined || exported === null || typeof exported !== 'object') {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: exports no apps (expected module.exports = { apps: [...] } or export default { apps: [...] }), got ${describe(exported)}`,
    );
  }
  if (typeof (exported as { then?: unknown }).then === 'function') {
    // PM2 reads the exported object as it is: a promise of one is no process file there either
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: exports a promise: expected the { apps: [...] } object itself (an ES module may await before its export default)`,
    );
  }
  if (!Array.isArray(exported) && !('apps' in exported) && !('script' in exported)) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${label}: exports no apps: expected an "apps" list or an app with a "script", got keys ${Object.keys(exported).join(', ') || 'none'}`,
    );
  }
  try {
    const specs = config.validateConfig(exported, label, {
      ...options,
      dialect: 'pm2',
      baseDir: dirname(file),
    });
    await config.checkConfigCrons(specs, label);
    // the apps whose count follows the CPUs ("max", 0, -n): read again with 16 CPUs more, it differs
    if (perCpu) {
      const again = config.validateConfig(exported, label, {
        ...options,
        dialect: 'pm2',
        baseDir: dirname(file),
        cpuCount: options.cpuCount + 16,
        onWarning: () => {},
      });
      perCpu(perCpuNames(specs, again));
    }
    return specs;
  } catch (error) {
    // the line of the key, found in the file's source text (`name: 'api'` … `instances: …`)
    throw await config.withLine(error, readFileSync(file, 'utf8'), file, '.js');
  }
}

/** True for a JavaScript config file (PM2's ecosystem.config.js), which only the CLI loads. */
export function isScriptConfig(path: string): boolean {
  return /^\.[cm]?js$/i.test(extname(path));
}

/**
 * PM2's `--only a,b` (or `"a b"`, as PM2 also splits on spaces): the apps of the file with these names.
 * A name the file lacks is a warning and the others go on, as PM2 skips it (a deploy script's list may
 * outlive an app); none there is an error. An app whose name took the `--env` profile
 * (`append_env_to_name`) is named either way, as the file names it (PM2's: `--only api` is
 * `api-production`) or as it runs.
 */
export function onlyApps(
  specs: AppSpec[],
  only: string | boolean | undefined,
  path: string,
  warn?: (message: string) => void,
  config?: Pick<ConfigModule, 'isSelected'>,
): AppSpec[] {
  if (typeof only !== 'string') return specs;
  const isSelected = (spec: AppSpec, which: readonly string[]) =>
    config ? config.isSelected(spec, which) : which.includes(spec.name);
  const selects = (name: string) => specs.some((spec) => isSelected(spec, [name]));
  // a Velos name may hold a space (`my api`): taken whole when an app has it, else as PM2's words
  const names = onlyPieces(only).flatMap((piece) =>
    selects(piece) || !/\s/.test(piece) ? [piece] : onlyWords(piece),
  );
  const missing = names.filter((name) => !selects(name));
  if (missing.length > 0) {
    const known = specs.map((spec) => spec.name).join(', ');
    const message = `--only: ${basename(path)} has no app named ${missing.join(', ')} (it has ${known})`;
    if (missing.length === names.length) throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message);
    warn?.(`${message}; the others go on`);
  }
  return specs.filter((spec) => isSelected(spec, names));
}

/**
 * The names `--only` may mean, as apps have them (NFC, trimmed): each of `a,b`, and the words of one
 * with spaces (PM2's `--only "a b"`) beside it; undefined without the option. `onlyApps` decides.
 */
export function onlyNames(only: string | boolean | undefined): string[] | undefined {
  if (typeof only !== 'string') return undefined;
  return onlyPieces(only).flatMap((piece) => (/\s/.test(piece) ? [piece, ...onlyWords(piece)] : [piece]));
}

function onlyPieces(only: string): string[] {
  return only
    .split(',')
    .map((name) => normalizeAppName(name.trim()))
    .filter((name) => name !== '');
}

function onlyWords(piece: string): string[] {
  return piece.split(/\s+/).filter((word) => word !== '');
}

/**
 * PM2 users point `out_file`, `error_file` and `log_file` into directories that do not exist yet (a
 * fresh checkout's `logs/`): they are created before the start, as this user (the daemon creates none),
 * 0750 whatever the umask (with umask 000 they were 0777, open to every user).
 */
export function ensureLogDirs(specs: AppSpec[]): void {
  for (const spec of specs) {
    for (const path of [spec.outFile, spec.errFile, spec.logFile]) {
      if (path === undefined) continue;
      checkNotProc(spec.name, path);
      try {
        // a directory no path can name (ENAMETOOLONG, ENOTDIR) throws here as in mkdir: "internal error" before
        if (statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) continue;
        mkdirSync(dirname(path), { recursive: true, mode: LOG_DIR_MODE });
      } catch {
        // the daemon's open of the file says what is wrong, naming it
      }
    }
  }
}

/**
 * A log file under /proc is refused: it would be the daemon's own entry, not this terminal's, and
 * Node's recursive mkdir never returns for a missing directory there.
 */
function checkNotProc(app: string, path: string): void {
  const absolute = resolve(path);
  if (absolute !== '/proc' && !absolute.startsWith('/proc/')) return;
  throw new VelosError(
    ErrorCodes.INVALID_ARGUMENT,
    `${app}: log file ${path} is under /proc, which the daemon cannot write logs into; use a file, or /dev/null`,
  );
}

function loadFailure(cause: unknown, file: string): string {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const first = (error.message.split('\n')[0] ?? '').trim();
  if (/module is not defined in ES module scope|exports is not defined in ES module scope/.test(first)) {
    return `uses module.exports but is loaded as an ES module (the nearest package.json says "type": "module"); rename it to ${basename(file).replace(/\.js$/, '.cjs')}`;
  }
  if (error.name === 'SyntaxError') return `not valid JavaScript: ${first}${syntaxErrorLine(error, file)}`;
  return `the file threw while loading: ${error.name === 'Error' ? '' : `${error.name}: `}${first}`;
}

/**
 * ` (line N)` of a syntax error in the file: the first line of the stack of a CommonJS file's error
 * (`/srv/ecosystem.config.js:5`); an ES module's error has none on Node 20, so `node --check` (run only
 * on this error path) says where. Empty when neither tells.
 */
function syntaxErrorLine(error: Error, file: string): string {
  const where = (stack: string) => /^(?:file:\/\/)?(.+):(\d+)$/m.exec(stack.split('\n')[0] ?? '');
  let at = where(error.stack ?? '');
  if (!at) {
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
    at = where(check.stderr ?? '');
  }
  return at && resolve(decodeURIComponent(at[1]!)) === resolve(file) ? ` (line ${at[2]})` : '';
}

/** The names of the apps whose instance count differs between two reads of one file with other CPU counts. */
export function perCpuNames(specs: readonly AppSpec[], again: readonly AppSpec[]): string[] {
  const counts = new Map(again.map((spec) => [spec.name, spec.instances]));
  return specs.filter((spec) => counts.get(spec.name) !== spec.instances).map((spec) => spec.name);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  // PM2 reads the exported value as it is: a function returning the apps is not called
  if (typeof value === 'function') return 'a function (the exported value is read as it is, never called)';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
