import type { AppSpec, LogRuleSpec } from '@velos/core';
import type { LineClassifier, StructuredLine } from './logs/line-format.js';

export type { LineClassifier } from './logs/line-format.js';

/** The capture classifier, and one with an app's `log_rules` tried first. */
export type RuledLineClassifier = LineClassifier & {
  /** The same classifier with `rules` (already valid: the config schema checked them) tried first. */
  readonly withRules: (rules: readonly LogRuleSpec[]) => LineClassifier;
};

let loading: Promise<RuledLineClassifier> | null = null;

/**
 * The log engine's classifier (ENG-1, LOG-5): a structured JSON line's own level field first, then the
 * regex rules, with stderr only as a hint; its `structure` takes JSON-object lines apart. Loaded on
 * first need — an app whose logs are JSON Lines — so that an idle daemon does not carry the log engine.
 */
export function loadLineClassifier(): Promise<RuledLineClassifier> {
  loading ??= import('@velos/log-engine').then(
    ({ classifyLine, compileUserRules, createClassifier, LEVEL_KEYS, parseStructuredLine }) => {
      const tracePattern = traceFieldPattern(LEVEL_KEYS);
      const structure = (line: string): StructuredLine | undefined => {
        const parsed = parseStructuredLine(line);
        if (!parsed) return undefined;
        const lvl = parsed.level === 'debug' && tracePattern.test(line) ? 'trace' : parsed.level;
        return { ts: parsed.ts, lvl, msg: parsed.message, fields: parsed.fields };
      };
      const withRules = (rules: readonly LogRuleSpec[]): LineClassifier => {
        const classify = createClassifier({ userRules: compileUserRules(rules) });
        return Object.assign(
          (line: string, stream: 'out' | 'err') =>
            parseStructuredLine(line)?.level ?? classify(line, { stream }),
          { structure },
        );
      };
      return Object.assign(
        (line: string, stream: 'out' | 'err') =>
          parseStructuredLine(line)?.level ?? classifyLine(line, { stream }),
        { structure, withRules },
      );
    },
  );
  return loading;
}

/**
 * The capture classifier of one app: `base` while its spec has no `log_rules`, else `base` with them,
 * compiled once for each rules list the spec holds (a config reload replaces the spec: the new rules
 * apply from the next line, without a restart).
 */
export function appLineClassifier(
  base: RuledLineClassifier,
  entry: { readonly spec: AppSpec },
): LineClassifier {
  let rules: readonly LogRuleSpec[] | undefined;
  let ruled: LineClassifier = base;
  const classify = (line: string, stream: 'out' | 'err'): string => {
    const now = entry.spec.logRules;
    if (now === undefined) return base(line, stream);
    if (now !== rules) {
      rules = now;
      ruled = base.withRules(now);
    }
    return ruled(line, stream);
  };
  return Object.assign(classify, { structure: base.structure });
}

/**
 * The log engine folds trace into debug; a level field saying trace (or pino's 10) keeps it (LOG-5): any of
 * the engine's level fields (`levelKeys`), so hclog's `"@level":"trace"` is as much a trace as `"level"`.
 * A number is no level in `status` (an HTTP status) nor in MongoDB's `s`.
 */
function traceFieldPattern(levelKeys: readonly string[]): RegExp {
  const alternation = (keys: readonly string[]) =>
    keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const numbered = levelKeys.filter((key) => key !== 'status' && key !== 's');
  return new RegExp(
    String.raw`"(?:${alternation(levelKeys)})"\s*:\s*"trace"|"(?:${alternation(numbered)})"\s*:\s*1\d[,}\s]`,
    'i',
  );
}
