/**
 * The shape of a value: the type of a primitive, the keys of an object (each with its shape), the shape
 * of an array's first element; `null` is `nullish` and a key holding `undefined` is left out.
 */
export function shapeOf(value: unknown): unknown {
  if (value === null || value === undefined) return 'nullish';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries.map(([key, field]) => [key, shapeOf(field)]));
  }
  return typeof value;
}

/**
 * Where two shapes differ (paths such as `[0].spec.env`): a key one side lacks, or two types; `nullish`
 * and an empty array match anything, since whether a pid or an exit code is set yet is timing, not shape.
 */
export function shapeDifferences(a: unknown, b: unknown, path = ''): string[] {
  if (a === 'nullish' || b === 'nullish') return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === 0 || b.length === 0 ? [] : shapeDifferences(a[0], b[0], `${path}[0]`);
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => {
      if (!(key in a)) return [`${path}.${key}: only in the second`];
      if (!(key in b)) return [`${path}.${key}: only in the first`];
      return shapeDifferences(a[key], b[key], `${path}.${key}`);
    });
  }
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
