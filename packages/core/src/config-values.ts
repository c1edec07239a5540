/**
 * CFG-2 `velos config set app key=value`: the value as a TOML config file would read it (`3`, `true`,
 * `[0, 3]`, `"text"`); anything else is a string (`5s`, `200M`, a path), which the schema then parses.
 */
export async function parseConfigValue(text: string): Promise<unknown> {
  const { parse } = await import('smol-toml');
  try {
    return parse(`value = ${text}`).value;
  } catch {
    return text;
  }
}

/** CFG-2 `velos config show`: a config document (snake_case keys) as TOML text. */
export async function formatConfigToml(doc: Record<string, unknown>): Promise<string> {
  const { stringify } = await import('smol-toml');
  return stringify(doc);
}
