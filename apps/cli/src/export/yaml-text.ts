type Stringify = (
  value: unknown,
  options?: { lineWidth?: number; version?: '1.1'; aliasDuplicateObjects?: boolean },
) => string;

/** A value as YAML, with the `yaml` package loaded only here (a bundle may hand it over as `{ default }`). */
export async function toYaml(value: unknown): Promise<string> {
  const mod = (await import('yaml')) as { stringify?: Stringify; default?: { stringify?: Stringify } };
  const stringify = mod.stringify ?? mod.default?.stringify;
  if (!stringify) throw new Error('the yaml module has no stringify function');
  return stringify(value, { lineWidth: 0, version: '1.1', aliasDuplicateObjects: false });
}
