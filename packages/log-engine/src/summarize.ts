import { ExitContext } from './exit-context.js';
import { LogEngine, type LogEngineOptions } from './log-engine.js';
import type { LogRecord } from './log-record.js';
import type { Summary, SummaryOptions } from './summary.js';

/**
 * Summarises a whole input at once: records (or bare lines) are pushed into a fresh `LogEngine`. With
 * `exits`, the records are in time order and the stderr lines just before a crash are raised to
 * `error` (see `ExitContext`).
 *
 * @example
 * const summary = summarize(['2024-05-01T10:00:00Z ERROR db down', '2024-05-01T10:00:02Z INFO retrying']);
 * summary.levels.error; // 1
 */
export function summarize(
  records: Iterable<LogRecord | string>,
  options: SummaryOptions & LogEngineOptions = {},
): Summary {
  const engine = new LogEngine(options);
  if (options.exits === undefined) {
    for (const record of records) engine.push(record);
  } else {
    const context = new ExitContext(options.exits, (parsed) => engine.add(parsed));
    for (const record of records) context.push(engine.parseRecord(record), undefined);
    context.flush();
  }
  engine.flush();
  return engine.summary(options);
}
