import type { AppSpec } from './app-spec.js';

/** What a process's environment depends on besides its app's spec. */
export interface InstanceIdentity {
  id: number;
  instance: number;
}

/**
 * The environment of one instance (SUP-5): the app's env, its identity (`VELOS_ID`, `VELOS_NAME`,
 * `VELOS_INSTANCE`, `NODE_APP_INSTANCE` or the app's `instance_var`; and PM2's `pm_id` and `name`)
 * and `increment_var` raised by the instance index.
 */
export function instanceEnv(
  spec: Pick<AppSpec, 'name' | 'env' | 'instanceVar' | 'incrementVar'>,
  who: InstanceIdentity,
): Record<string, string> {
  const env: Record<string, string> = {
    // PM2's variables, unless the app's env sets them
    pm_id: String(who.id),
    name: spec.name,
    ...spec.env,
    VELOS_ID: String(who.id),
    VELOS_NAME: spec.name,
    VELOS_INSTANCE: String(who.instance),
  };
  // PM2's instance_var renames NODE_APP_INSTANCE
  env[spec.instanceVar ?? 'NODE_APP_INSTANCE'] = String(who.instance);
  const name = spec.incrementVar;
  const base = name === undefined ? undefined : incrementBase(spec.env[name]);
  if (name !== undefined && base !== undefined) env[name] = String(base + who.instance);
  return env;
}

/**
 * The port an instance listens on in place of `port`: with `increment_var` naming a variable whose
 * value in the app's env is `port` (the app's base port), the instance's own (`port` + its index);
 * any other port as it is. An http or tcp probe written with the base port so checks each instance.
 */
export function instancePort(
  spec: Pick<AppSpec, 'env' | 'incrementVar'>,
  instance: number,
  port: number,
): number {
  const name = spec.incrementVar;
  const base = name === undefined ? undefined : incrementBase(spec.env[name]);
  return base === port ? base + instance : port;
}

/** Why `increment_var` cannot apply to an app (its variable is not a whole number in its env), or null. */
export function incrementVarProblem(spec: AppSpec): string | null {
  const name = spec.incrementVar;
  if (name === undefined || incrementBase(spec.env[name]) !== undefined) return null;
  const value = spec.env[name];
  return `${spec.name}: increment_var ${name}: expected ${name} in the app's env to be a whole number, got ${
    value === undefined ? 'nothing' : JSON.stringify(value)
  }`;
}

function incrementBase(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}
