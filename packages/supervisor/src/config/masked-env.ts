import { type AppSpec, ErrorCodes, formatPayloadPath, MASK, maskEnv, VelosError } from '@velos/core';

/**
 * CFG-2 `config set`: refuses env values holding the `****` that every read of the config (`velos config
 * show`, `GET /config/…`, MCP `config_get`) shows in place of a secret the app has (`****`,
 * `postgres://u:****@db`), naming each such variable: sent back, the mask would become the app's secret.
 * A `****` in a variable whose value is shown as it is (or a new one) was written on purpose and passes.
 */
export function checkMaskedEnv(spec: AppSpec, changes: Record<string, unknown>): void {
  const copied: { name: string; path: string[] }[] = [];
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'env' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value)) {
        if (isMasked(spec, name, inner)) copied.push({ name, path: ['changes', 'env', name] });
      }
    } else if (key.startsWith('env.')) {
      const name = key.slice('env.'.length);
      if (isMasked(spec, name, value)) copied.push({ name, path: ['changes', key] });
    }
  }
  refuseCopied(spec, copied);
}

/**
 * A restart's or reload's `env` (REST `POST /processes/{target}/restart` with `env`, MCP `process_restart`,
 * `velos restart --update-env`): refused as `checkMaskedEnv` refuses a `config set`, for each app of
 * `specs`, when a variable holds the `****` a read shows in place of the app's secret, also one the app
 * inherits (sent back, the mask would become what it inherits at its next run). Checked for every app
 * before any is restarted.
 */
export function checkMaskedUpdateEnv(specs: Iterable<AppSpec>, env: Record<string, string>): void {
  for (const spec of specs) {
    const copied = Object.entries(env)
      .filter(([name, value]) => isMasked(spec, name, value))
      .map(([name]) => ({ name, path: ['env', name] }));
    refuseCopied(spec, copied);
  }
}

/** Refuses the variables of `spec` in `copied`, naming them all; nothing when there are none. */
function refuseCopied(spec: AppSpec, copied: readonly { name: string; path: string[] }[]): void {
  if (copied.length === 0) return;
  const names = copied.map(({ name }) => `env.${name}`).join(', ');
  const [hold, value, them] =
    copied.length === 1 ? ['its value holds', 'value', 'it'] : ['their values hold', 'values', 'them'];
  throw new VelosError(
    ErrorCodes.INVALID_ARGUMENT,
    `${spec.name}: ${names}: ${hold} the ${MASK} shown in place of a secret (config show, config_get, GET /config), not the secret, so nothing changed; set only the variables that change (env.KEY), which keeps the others, or give the real ${value} (velos config show --show-secrets prints ${them})`,
    { data: { field: formatPayloadPath(copied[0]!.path) } },
  );
}

/** Whether `value` holds the mask and the app's current value of `name` is one a read masks. */
function isMasked(spec: AppSpec, name: string, value: unknown): boolean {
  if (typeof value !== 'string' || !value.includes(MASK)) return false;
  const current = spec.ownEnv?.[name] ?? spec.env[name];
  return current !== undefined && maskEnv({ [name]: current })[name] !== current;
}
