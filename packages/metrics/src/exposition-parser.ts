import { type FamilyType, family, type MetricFamily } from './metric-family.js';

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
};
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** A line of an exposition the parser refused, with its 1-based number. */
export class ExpositionSyntaxError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionSyntaxError';
  }
}

/**
 * Parses the Prometheus text format (0.0.4; OpenMetrics read as 0.0.4 has it, see `asTextFormat`) into
 * families; timestamps are dropped. Throws `ExpositionSyntaxError` at the first malformed line.
 */
export function parseExposition(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const declare = (name: string): MetricFamily => {
    let found = families.get(name);
    if (found === undefined) {
      found = family(name, 'untyped', '');
      families.set(name, found);
    }
    return found;
  };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    const fail = (reason: string): never => {
      throw new ExpositionSyntaxError(index + 1, reason);
    };
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (match === null) continue;
      const [, keyword, name, rest = ''] = match as unknown as [string, string, string, string?];
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) fail(`bad metric name ${JSON.stringify(name)}`);
      const target = declare(name);
      if (keyword === 'HELP') target.help = unescapeText(rest, false);
      else if (TYPES.has(rest.trim())) {
        if (target.samples.length > 0) fail(`TYPE of ${name} after its samples`);
        target.type = rest.trim() as FamilyType;
      } else fail(`unknown type ${JSON.stringify(rest)}`);
      continue;
    }
    const sample = parseSample(line, fail);
    familyOf(sample.name, families, declare).samples.push(sample);
  }
  for (const found of families.values())
    if (found.help === '') found.help = `${found.name} (no HELP given by the app).`;
  return [...families.values()].map(asTextFormat).filter((found) => found.samples.length > 0);
}

/**
 * An OpenMetrics family as the text format 0.0.4 has it: no `_created` samples (a start time, dropped
 * as timestamps are; re-exposed, each was a stray series), and a counter named by its `_total` samples
 * (`# TYPE x counter` over `x_total` read to promtool as a family without HELP or TYPE).
 */
function asTextFormat(found: MetricFamily): MetricFamily {
  if (!(found.type in SUFFIXES)) return found;
  const created = `${found.name}_created`;
  const samples = found.samples.filter((sample) => sample.name !== created);
  const total = `${found.name}_total`;
  const isOpenCounter =
    found.type === 'counter' && samples.length > 0 && samples.every((sample) => sample.name === total);
  return isOpenCounter ? { ...found, name: total, samples } : { ...found, samples };
}

function familyOf(
  name: string,
  families: Map<string, MetricFamily>,
  declare: (name: string) => MetricFamily,
): MetricFamily {
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = families.get(name.slice(0, -suffix.length));
      if (base?.type === type) return base;
    }
  }
  return declare(name);
}

function parseSample(
  line: string,
  fail: (reason: string) => never,
): { name: string; labels: Record<string, string>; value: number } {
  const name = NAME.exec(line)?.[0] ?? fail('expected a metric name');
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0] ?? fail('expected a label name');
      rest = rest.slice(label.length).trimStart();
      if (!rest.startsWith('="') && !rest.startsWith('= "')) fail(`expected ="..." after label ${label}`);
      rest = rest.slice(rest.indexOf('"') + 1);
      let end = 0;
      while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
      if (end >= rest.length) fail(`unterminated value of label ${label}`);
      if (label in labels) fail(`label ${label} repeated`);
      labels[label] = unescapeText(rest.slice(0, end), true);
      rest = rest.slice(end + 1).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) fail('expected , or } after a label');
    }
    rest = rest.slice(1);
  }
  const fields = rest.trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '')
    fail('expected a value (and an optional timestamp)');
  const value = parseValue(fields[0]!);
  if (value === undefined) fail(`bad value ${JSON.stringify(fields[0])}`);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1]))
    fail(`bad timestamp ${JSON.stringify(fields[1])}`);
  return { name, labels, value: value as number };
}

function parseValue(raw: string): number | undefined {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

/** Undoes `\\`, `\n` (HELP) and `\"` (label values). */
function unescapeText(raw: string, isLabelValue: boolean): string {
  return raw.replace(/\\(.)/g, (whole, char: string) => {
    if (char === 'n') return '\n';
    if (char === '\\') return '\\';
    if (char === '"' && isLabelValue) return '"';
    return whole;
  });
}
