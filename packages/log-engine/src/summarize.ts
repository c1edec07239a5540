import { LogEngine, type LogEngineOptions } from './log-engine.js';
import type { LogRecord } from './log-record.js';
import type { Summary, SummaryOptions } from './summary.js';

/**
 * Summarises a whole input at once: records (or bare lines) are pushed into a fresh `LogEngine`.
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
  for (const record of records) engine.push(record);
  return engine.summary(options);
}
