import type { Document } from 'yaml';
import { lineOfOffset } from './config-position.js';

type YamlModule = typeof import('yaml');

/**
 * The line of the first merge key (`<<:`) whose value is not a map, an alias of one or a list of them:
 * yaml finds such a key only when it builds the values (`Merge sources must be maps or map aliases`),
 * after parsing, and its error carries no position. Null when there is none (or `mod` is not yaml).
 * @example badMergeKeyLine(yaml, yaml.parseDocument('a:\n  <<: 1\n', { merge: true }), 'a:\n  <<: 1\n') // → 2
 */
export function badMergeKeyLine(
  mod: Partial<YamlModule> & { default?: Partial<YamlModule> },
  document: unknown,
  text: string,
): number | null {
  // a bundler may hand the CommonJS package to `import()` as `{ default: module }` only
  const yaml = (mod.visit ? mod : mod.default) as YamlModule | undefined;
  if (!yaml?.visit) return null;
  const doc = document as Document;
  const isSource = (node: unknown): boolean =>
    yaml.isAlias(node) ? yaml.isMap(node.resolve(doc)) : yaml.isMap(node);
  let line: number | null = null;
  yaml.visit(doc, {
    Pair(_, pair) {
      const { key, value } = pair;
      // with `merge`, yaml reads a plain `<<` as the symbol `<<` (a quoted "<<" is an ordinary key)
      const isMerge =
        yaml.isScalar(key) &&
        key.type === 'PLAIN' &&
        (key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<'));
      if (!isMerge) return undefined;
      if (isSource(value) || (yaml.isSeq(value) && value.items.every(isSource))) return undefined;
      line = lineOfOffset(text, key.range?.[0] ?? 0);
      return yaml.visit.BREAK;
    },
  });
  return line;
}
