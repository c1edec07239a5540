type Stringify = (
  value: unknown,
  replacer: (key: unknown, value: unknown) => unknown,
  options?: { lineWidth?: number; version?: '1.1'; aliasDuplicateObjects?: boolean },
) => string;

type ScalarClass = new (value: unknown) => { type?: string };

interface YamlModule {
  stringify?: Stringify;
  Scalar?: ScalarClass;
}

/**
 * A value as YAML, with the `yaml` package loaded only here (a bundle may hand it over as `{ default }`).
 * A string holding a tab is double-quoted (`"a\tb"`): YAML 1.1 readers (docker-compose 1, PyYAML)
 * refuse a tab in a plain scalar, which the package writes as it is.
 */
export async function toYaml(value: unknown): Promise<string> {
  const loaded = (await import('yaml')) as YamlModule & { default?: YamlModule };
  const stringify = loaded.stringify ?? loaded.default?.stringify;
  const Scalar = loaded.Scalar ?? loaded.default?.Scalar;
  if (!stringify || !Scalar) throw new Error('the yaml module has no stringify function or Scalar class');
  const quoteTabs = (_key: unknown, item: unknown): unknown => {
    if (typeof item !== 'string' || !item.includes('\t')) return item;
    const scalar = new Scalar(item);
    scalar.type = 'QUOTE_DOUBLE';
    return scalar;
  };
  return stringify(value, quoteTabs, { lineWidth: 0, version: '1.1', aliasDuplicateObjects: false });
}
