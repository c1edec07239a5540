/**
 * CFG-2 `velos config set app key=value`: the value as a TOML config file would read it (`3`, `true`,
 * `[0, 3]`, `"text"`); anything else is a string (`5s`, `200M`, a path), which the schema then parses.
 * The value of an env variable (`key` `env.V` or `env_<profile>.V`) is text: a number or boolean is
 * kept as written (`env.VERSION=1.10` is "1.10", not TOML's 1.1).
 */
export async function parseConfigValue(text: string, key?: string): Promise<unknown> {
  const { parse } = await import('smol-toml');
  let value: unknown;
  try {
    value = parse(`value = ${text}`).value;
  } catch {
    return text;
  }
  const isEnvValue = key !== undefined && /^env(_[^.]+)?\.[^.]+$/.test(key);
  return isEnvValue && (typeof value === 'number' || typeof value === 'boolean') ? text.trim() : value;
}

/** CFG-2 `velos config show`: a config document (snake_case keys) as TOML text. */
export async function formatConfigToml(doc: Record<string, unknown>): Promise<string> {
  const { stringify } = await import('smol-toml');
  return stringify(doc);
}
