/** Gives the level of one captured line: what the JSON log format writes as `lvl`. */
export type LineClassifier = (line: string, stream: 'out' | 'err') => string;

let loading: Promise<LineClassifier> | null = null;

/**
 * The log engine's classifier (ENG-1, LOG-5): a structured JSON line's own level field first, then the
 * regex rules, with stderr only as a hint. Loaded on first need — an app whose logs are JSON Lines —
 * so that an idle daemon does not carry the log engine.
 */
export function loadLineClassifier(): Promise<LineClassifier> {
  loading ??= import('@velos/log-engine').then(
    ({ classifyLine, parseStructuredLine }) =>
      (line, stream) =>
        parseStructuredLine(line)?.level ?? classifyLine(line, { stream }),
  );
  return loading;
}
