import { basename, isAbsolute, relative, resolve } from 'node:path';
import type { AppSpec } from '@velos/core';
import { resolveCommand } from '@velos/supervisor/spec-tools';
import { findOnPath } from '../commands/start-spec.js';
import { exportedEnv } from './secret-env.js';

/** The argv an app runs with: `[program, ...args]`. */
export type Argv = string[];

/**
 * The command of an app on this machine, as the daemon would spawn it, with absolute paths: systemd
 * looks a bare program name (an `interpreter = "python3"`) up on its own short PATH, not the
 * daemon's, and would miss one in `~/.pyenv/shims` or run another of that name.
 */
export function hostArgv(spec: AppSpec): Argv {
  const env = { ...process.env, ...spec.env } as Record<string, string>;
  const [file = '', ...args] = commandArgv(spec, env);
  return [isAbsolute(file) ? file : (findOnPath(file, env) ?? file), ...args];
}

/** The command as the daemon's resolver gives it (an interpreter by its name, as configured). */
function commandArgv(spec: AppSpec, env: Record<string, string>): Argv {
  const command = resolveCommand({ ...spec, env });
  return [command.file, ...command.args];
}

/**
 * The command of an app inside a container whose working directory holds the app's `cwd`: Node is
 * `node`, paths under the app's directory become relative, other paths stay as they are.
 */
export function containerArgv(spec: AppSpec): Argv {
  const env = { ...process.env, ...spec.env } as Record<string, string>;
  return commandArgv(spec, env).map((word, i) => {
    if (i === 0 && word === process.execPath) return 'node';
    // a program found on this machine's PATH is looked up on the image's PATH instead (`/bin/sh` is everywhere)
    if (i === 0 && word !== '/bin/sh' && /^\/(usr\/)?(local\/)?bin\//.test(word)) return basename(word);
    return isInside(spec.cwd, word) ? relative(spec.cwd, word) || '.' : word;
  });
}

/** True when the app's script is a file outside its own directory (a container build of `cwd` lacks it). */
export function isScriptOutsideCwd(spec: AppSpec): boolean {
  const path = resolve(spec.cwd, spec.script);
  return hostArgv(spec).includes(path) && !isInside(spec.cwd, path);
}

function isInside(dir: string, path: string): boolean {
  if (!isAbsolute(path)) return false;
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The environment an app's instance gets from Velos (SUP-5): its own env, identity (`instance_var`) and `increment_var`. */
export function instanceEnvironment(spec: AppSpec, instance: number): Record<string, string> {
  const env: Record<string, string> = {
    ...exportedEnv(spec),
    VELOS_NAME: spec.name,
    VELOS_INSTANCE: String(instance),
  };
  // PM2's instance_var renames NODE_APP_INSTANCE, as the daemon's instanceEnv does
  env[spec.instanceVar ?? 'NODE_APP_INSTANCE'] = String(instance);
  const name = spec.incrementVar;
  const base = name === undefined ? undefined : env[name];
  if (name !== undefined && base !== undefined && /^\d+$/.test(base.trim())) {
    env[name] = String(Number(base) + instance);
  }
  return env;
}
