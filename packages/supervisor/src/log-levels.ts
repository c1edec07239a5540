import type { LineClassifier, StructuredLine } from './logs/line-format.js';

export type { LineClassifier } from './logs/line-format.js';

let loading: Promise<LineClassifier> | null = null;

/**
 * The log engine's classifier (ENG-1, LOG-5): a structured JSON line's own level field first, then the
 * regex rules, with stderr only as a hint; its `structure` takes JSON-object lines apart. Loaded on
 * first need — an app whose logs are JSON Lines — so that an idle daemon does not carry the log engine.
 */
export function loadLineClassifier(): Promise<LineClassifier> {
  loading ??= import('@velos/log-engine').then(({ classifyLine, parseStructuredLine }) => {
    const structure = (line: string): StructuredLine | undefined => {
      const parsed = parseStructuredLine(line);
      if (!parsed) return undefined;
      const lvl = parsed.level === 'debug' && TRACE.test(line) ? 'trace' : parsed.level;
      return { ts: parsed.ts, lvl, msg: parsed.message, fields: parsed.fields };
    };
    return Object.assign(
      (line: string, stream: 'out' | 'err') =>
        parseStructuredLine(line)?.level ?? classifyLine(line, { stream }),
      { structure },
    );
  });
  return loading;
}

/** The log engine folds trace into debug; a level field saying trace (or pino's 10) keeps it (LOG-5). */
const TRACE = /"(?:level|lvl|severity|loglevel|levelname)"\s*:\s*(?:"trace"|1\d(?:[,}\s]))/i;
