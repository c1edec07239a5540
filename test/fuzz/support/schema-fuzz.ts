import fc from 'fast-check';

/** The structure of a zod/mini schema as far as fuzzing needs it: objects with their fields, arrays with their items. */
export type Shape =
  | { kind: 'object'; fields: Record<string, Shape> }
  | { kind: 'array'; item: Shape }
  | { kind: 'leaf' };

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } };
}

/** Reads the shape of a zod/mini schema (optional, default, pipe and union wrappers are looked through). */
export function shapeOf(schema: unknown, depth = 0): Shape {
  const def = (schema as ZodLike)?._zod?.def;
  if (!def || depth > 6) return { kind: 'leaf' };
  if (def.shape && typeof def.shape === 'object') {
    const fields: Record<string, Shape> = {};
    for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
      fields[key] = shapeOf(value, depth + 1);
    }
    return { kind: 'object', fields };
  }
  if (def.element) return { kind: 'array', item: shapeOf(def.element, depth + 1) };
  const inner = def.innerType ?? def.in ?? (Array.isArray(def.options) ? def.options[0] : undefined);
  return inner ? shapeOf(inner, depth + 1) : { kind: 'leaf' };
}

/** Values of every type, small and large, that a field could wrongly receive. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { withCrossShrink: true },
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    'all',
    '0',
    '-1',
    '../../etc/passwd',
    'a'.repeat(300),
    '\u0000',
    'SIGKILL',
    '15m',
    '+1',
  ),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 53), 2 ** 53 + 2, 1e308, -0, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  fc.uint8Array({ maxLength: 32 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.nat({ max: 60 }).map((n) => nest(n)),
  fc.nat({ max: 6000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
);

/** An array nested `depth` times around `null`. */
export function nest(depth: number): unknown {
  let value: unknown = null;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

/** Payloads for a schema's shape: every field absent, wrongly typed, or built from its own shape; extra keys now and then. */
export function payloadFor(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 3 || shape.kind === 'leaf') return wrongValue;
  if (shape.kind === 'array') {
    return fc.oneof(fc.array(payloadFor(shape.item, depth + 1), { maxLength: 3 }), wrongValue);
  }
  const entries = Object.entries(shape.fields).map(
    ([key, field]) =>
      [key, fc.option(fc.oneof(payloadFor(field, depth + 1), wrongValue), { nil: undefined })] as const,
  );
  const record = fc.record(Object.fromEntries(entries), { requiredKeys: [] });
  const extra = fc.dictionary(fc.string({ maxLength: 12 }), wrongValue, { maxKeys: 2 });
  return fc.oneof(
    { arbitrary: record, weight: 6 },
    { arbitrary: fc.tuple(record, extra).map(([a, b]) => ({ ...b, ...a })), weight: 2 },
    { arbitrary: wrongValue, weight: 2 },
  );
}
