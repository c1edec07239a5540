import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type AlertRule, type AppSpec, ErrorCodes, isVelosError, namesScriptFile } from '@velos/core';
import { invalidArgument, type ToolContext } from './tool-kit.js';

/** What `process_start` was asked for: one script with options, or the apps of a config file. */
export interface StartRequest {
  script?: string;
  config?: string;
  name?: string;
  namespace?: string;
  instances?: number | 'max';
  env?: Record<string, string>;
  args?: string[];
  cwd?: string;
}

/** The specs to start, and the alert rules of a config file (to replace that file's rules). */
export interface StartPlan {
  specs: AppSpec[];
  configFile?: string;
  alerts?: AlertRule[];
}

/**
 * Turns a `process_start` request into complete `AppSpec`s with the core config loader: a config file
 * is loaded as `velos start <file>` loads it; a script becomes a one-app config validated by the same
 * schema (relative paths against `cwd`, the server's environment inherited as with the CLI).
 */
export async function planStart(request: StartRequest, ctx: ToolContext): Promise<StartPlan> {
  const config = await import('@velos/core/config');
  const baseEnv = definedEnv(ctx.env);
  const cwd = resolve(ctx.cwd, request.cwd ?? '.');
  // else a relative script is "not found" there, and a program fails to spawn with ENOENT
  if (request.cwd !== undefined && !statSync(cwd, { throwIfNoEntry: false })?.isDirectory())
    throw invalidArgument(`cwd: expected a directory, got ${JSON.stringify(request.cwd)} (${cwd} is none)`);
  if ((request.script === undefined) === (request.config === undefined)) {
    const how = request.script === undefined ? 'neither was given' : 'not both';
    throw invalidArgument(`give either script or config (a .toml, .yaml, .yml or .json file), ${how}`);
  }
  if (request.config !== undefined) {
    const extra = (['name', 'namespace', 'instances', 'env', 'args'] as const).find(
      (key) => request[key] !== undefined,
    );
    if (extra) throw invalidArgument(`${extra} does not apply to a config file; set it in the file instead`);
    const file = resolve(cwd, request.config);
    if (!config.isConfigFile(file))
      throw invalidArgument(`config: expected a .toml, .yaml, .yml or .json file, got ${request.config}`);
    const specs = await config.loadConfigFile(file, { baseEnv, cpuCount: ctx.cpuCount });
    for (const spec of specs) spec.source = { file };
    return { specs, configFile: file, alerts: (await config.loadConfigAlerts(file)) ?? [] };
  }
  if (request.script!.trim() === '')
    throw invalidArgument('script: expected a file, a program or a command line, got only whitespace');
  const script = resolveScript(request.script!, cwd);
  const entry: Record<string, unknown> = { script };
  if (request.name !== undefined) entry.name = request.name;
  if (request.namespace !== undefined) entry.namespace = request.namespace;
  if (request.instances !== undefined) {
    entry.instances = request.instances;
    // as `velos start -i`: several instances run in cluster mode (non-Node programs fork)
    entry.exec_mode = 'cluster';
  }
  if (request.env !== undefined) entry.env = request.env;
  if (request.args !== undefined) entry.args = request.args;
  try {
    const specs = config.validateConfig({ apps: [entry] }, CONFIG_LABEL, {
      baseDir: cwd,
      baseEnv,
      cpuCount: ctx.cpuCount,
    });
    return { specs };
  } catch (error) {
    throw asArgumentError(error);
  }
}

/** The label of the one-app config a script becomes; its issues read `process_start: apps[0].name: …`. */
const CONFIG_LABEL = 'process_start';

/**
 * An issue of the one-app config a script became, named by the tool's argument (`name: expected …`,
 * `env.A: …`) as every other argument error is: the agent gave `name`, not `apps[0].name` of a file it
 * never wrote.
 */
function asArgumentError(error: unknown): unknown {
  if (!isVelosError(error) || error.code !== ErrorCodes.INVALID_CONFIG) return error;
  const prefix = `${CONFIG_LABEL}: apps[0].`;
  if (!error.message.startsWith(prefix)) return error;
  return invalidArgument(error.message.slice(prefix.length));
}

/**
 * An existing file (absolute), a command line (kept as is), or a program name left to the daemon; a
 * word naming a file that is not there is refused, with the cwd it was looked for in when relative.
 */
function resolveScript(script: string, cwd: string): string {
  const path = resolve(cwd, script);
  if (existsSync(path)) return path;
  if (/\s/.test(script.trim())) return script.trim();
  if (namesScriptFile(script)) {
    // the base only where it was used: an absolute path is looked for as given
    const base = isAbsolute(script.trim()) ? '' : ` (relative to ${cwd})`;
    throw invalidArgument(`script not found: ${script}${base}`);
  }
  return script;
}

/** The variables of `env` that have a value. */
export function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
