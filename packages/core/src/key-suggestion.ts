import type * as z from 'zod/mini';

/**
 * Option names of PM2, the probe options of process-compose and Kubernetes, OpenTelemetry's name, and the
 * `velos start` flags whose file key is another word, that Velos spells differently in a file, with the
 * Velos name: a habit from those tools (or from the command line) gets the right suggestion.
 */
const FOREIGN_NAMES: Readonly<Record<string, string>> = {
  max_memory_restart: 'max_memory',
  combine_logs: 'merge_logs',
  log_type: 'log_format',
  http_get: 'http',
  tcp_socket: 'tcp',
  period_seconds: 'interval',
  timeout_seconds: 'timeout',
  initial_delay_seconds: 'initial_delay',
  // config.toml's [metrics.otlp] as OpenTelemetry's own name
  otel: 'otlp',
  opentelemetry: 'otlp',
  // `velos start --every 1m` is a job's `interval` in a file
  every: 'interval',
};

/**
 * The key of `known` that an unknown `key` was most likely meant to be: a PM2 (or probe) name Velos
 * spells differently, or a key one or two edits away (one for keys of four letters or fewer, a swap of two
 * neighbours counts once; at most `maxEditsAllowed`); null when nothing is that close.
 */
export function suggestKey(key: string, known: readonly string[], maxEditsAllowed = 2): string | null {
  const lower = key.toLowerCase();
  const candidates = new Map<string, string>(known.map((name) => [name, name]));
  for (const [foreign, velos] of Object.entries(FOREIGN_NAMES))
    if (known.includes(velos)) candidates.set(foreign, velos);
  const maxEdits = Math.min(maxEditsAllowed, lower.length <= 4 ? 1 : 2);
  let best: { key: string; edits: number } | null = null;
  for (const [name, target] of candidates) {
    const edits = editDistance(lower, name.toLowerCase());
    if (edits <= maxEdits && (best === null || edits < best.edits)) best = { key: target, edits };
  }
  return best === null || best.key === key ? null : best.key;
}

/** The keys an object schema takes at `path` in the document `schema` validates (empty when unknown). */
export function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const candidate of unwrap(schema)) {
    const def = candidate._zod.def;
    if (path.length === 0) {
      if (def.type === 'object')
        for (const key of Object.keys((def as z.core.$ZodObjectDef).shape)) keys.add(key);
      continue;
    }
    const [head, ...rest] = path;
    let inner: z.core.$ZodType | undefined;
    if (def.type === 'array' && typeof head === 'number') inner = (def as z.core.$ZodArrayDef).element;
    if (def.type === 'object' && typeof head === 'string') inner = (def as z.core.$ZodObjectDef).shape[head];
    if (inner) for (const key of keysAt(inner, rest)) keys.add(key);
  }
  return [...keys];
}

/** The schemas a value may meet through optional, nullable, default, pipe (its input side) and union. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType[] {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return unwrap((def as z.core.$ZodOptionalDef).innerType);
    case 'pipe':
      return unwrap((def as z.core.$ZodPipeDef).in);
    case 'union':
      return (def as z.core.$ZodUnionDef).options.flatMap(unwrap);
    default:
      return [schema];
  }
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
