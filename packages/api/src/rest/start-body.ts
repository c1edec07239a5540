import { isAbsolute } from 'node:path';
import { type AppSpec, ErrorCodes, isVelosError, VelosError } from '@velos/core';
import { NO_CWD, resolveAppEntries } from './app-entries.js';
import type { RequestParts, RouteContext } from './route-types.js';
import { checkScriptFiles } from './script-files.js';

/** Formats a config body may be written in. */
export const CONFIG_FORMATS = ['toml', 'yaml', 'json'] as const;

/** Largest config text accepted, in characters (the body limit applies too). */
const MAX_CONFIG_CHARS = 512 * 1024;

/**
 * The `start` payload of `POST /processes`: `{apps}`, each a complete AppSpec or a config file's app
 * entry (`resolveAppEntries`), or the apps of a config file's text (`{config, format, cwd?,
 * envProfile?}`) through the core config loader, as `velos start <file>` reads a file; apps without
 * an absolute `cwd` of their own need the body's.
 */
export async function startPayload(parts: RequestParts, ctx: RouteContext): Promise<unknown> {
  const { body } = parts;
  if (body.config === undefined) {
    const extra = ['format', 'cwd', 'envProfile'].find((key) => body[key] !== undefined);
    if (extra !== undefined) throw invalid(extra, `${extra} goes with config (a config file's text)`);
    if (body.apps === undefined) {
      throw invalid('apps', 'expected apps (config file app entries or complete AppSpecs) or config');
    }
    const apps = await resolveAppEntries(body.apps, ctx);
    checkScriptFiles(apps);
    return { apps };
  }
  if (body.apps !== undefined) throw invalid('apps', 'give either apps or config, not both');
  const apps = await specsFromConfigBody(body, ctx);
  checkScriptFiles(apps);
  return { apps };
}

async function specsFromConfigBody(body: Record<string, unknown>, ctx: RouteContext): Promise<AppSpec[]> {
  const { config: text, format, cwd, envProfile } = body;
  if (typeof text !== 'string' || text.length > MAX_CONFIG_CHARS) {
    throw invalid('config', `expected the text of a config file, at most ${MAX_CONFIG_CHARS} characters`);
  }
  if (typeof format !== 'string' || !(CONFIG_FORMATS as readonly string[]).includes(format)) {
    const got = format === undefined ? 'none (config needs its format)' : JSON.stringify(format).slice(0, 80);
    throw invalid('format', `expected one of ${CONFIG_FORMATS.join(', ')}, got ${got}`);
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || !isAbsolute(cwd) || cwd.length > 4096)) {
    throw invalid('cwd', `expected an absolute directory, got ${JSON.stringify(cwd)}`);
  }
  if (
    envProfile !== undefined &&
    (typeof envProfile !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(envProfile))
  ) {
    throw invalid('envProfile', 'expected the name of an env_<profile> table');
  }
  const loader = await import('@velos/core/config');
  const label = `config.${format}`;
  // croner loads only for a text that may hold a cron expression
  const checkCron = /cron|schedule/i.test(text) ? await loader.loadCronCheck() : undefined;
  const specs = await inConfig(async () => {
    const raw = await loader.parseConfigText(text, label);
    if (raw !== null && typeof raw === 'object' && 'alerts' in raw) {
      throw invalid('config', 'alerts in a config body are not applied; add them with POST /api/v1/alerts');
    }
    return loader.validateConfig(raw, label, {
      baseDir: cwd ?? NO_CWD,
      baseEnv: ctx.start.env,
      cpuCount: ctx.start.cpuCount,
      ...(envProfile === undefined ? {} : { envProfile }),
      ...(checkCron === undefined ? {} : { checkCron }),
    });
  });
  const unplaced = specs.findIndex((spec) => spec.cwd === NO_CWD || spec.cwd.startsWith(`${NO_CWD}/`));
  if (unplaced !== -1) {
    throw invalid(
      'cwd',
      `apps[${unplaced}] has no absolute cwd: give the body's cwd (an absolute directory)`,
    );
  }
  return specs;
}

/**
 * Runs the loader; its errors (which name the path inside the config) are about the body's `config`,
 * with every problem of the text (`issues`, `more`) and the options its message names kept.
 */
async function inConfig<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isVelosError(error)) throw error;
    const { issues, more, options } = (error.data ?? {}) as {
      issues?: unknown;
      more?: unknown;
      options?: unknown;
    };
    const listed = Array.isArray(issues) ? { issues, ...(typeof more === 'number' ? { more } : {}) } : {};
    // the options its message names (`--env staging`), for the route to say as the body's keys
    const hinted = Array.isArray(options) ? { options } : {};
    throw new VelosError(error.code, error.message, {
      data: { field: 'config', ...listed, ...hinted },
      cause: error,
    });
  }
}

function invalid(field: string, message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${message}`, { data: { field } });
}
