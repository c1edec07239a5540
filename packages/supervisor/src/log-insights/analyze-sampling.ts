/**
 * How `analyzeLogs` sizes its work: the lines a range holds (estimated), the draw of a uniform sample,
 * the minutes of history its engine keeps and the time its range starts.
 */
import { compileErrorRuleHints, type ErrorRuleHints, findErrorHints } from '@velos/log-engine';
import type { LogSource } from './log-scan.js';
import type { LogQueryTarget } from './log-target.js';
import { userRulesOf } from './target-rules.js';

const MINUTE_MS = 60_000;

/** Lines to pass over before the next one of a uniform sample at `rate` (a geometric draw). */
export function nextSkip(rate: number): number {
  return Math.floor(Math.log(1 - Math.random()) / Math.log(1 - rate));
}

/** Lines the sources hold, estimated from their bytes and the mean line length at the start of each. */
export async function estimateLines(sources: LogSource[]): Promise<number> {
  const { open } = await import('node:fs/promises');
  let lines = 0;
  for (const source of sources) {
    const offsets = source.index.offsets;
    const last = offsets.length === 0 ? 0 : offsets[offsets.length - 1]!;
    const bytes = source.isCompressed ? Math.max(last, source.bytes * 8) : source.bytes;
    let meanLineBytes = 64;
    const probe = source.isCompressed ? undefined : await open(source.path, 'r').catch(() => undefined);
    if (probe !== undefined) {
      try {
        const buffer = Buffer.alloc(Math.min(64 * 1024, source.bytes));
        const { bytesRead } = await probe.read(buffer, 0, buffer.length, 0);
        let count = 0;
        for (let i = buffer.indexOf(10); i !== -1 && i < bytesRead; i = buffer.indexOf(10, i + 1)) count += 1;
        if (count > 0) meanLineBytes = bytesRead / count;
      } finally {
        await probe.close();
      }
    }
    lines += bytes / meanLineBytes;
  }
  return lines;
}

/** The start of the range, or else the time of the oldest line the sources' time indexes know; undefined when none. */
export function firstTimeOf(sources: LogSource[], range: { since?: number }): number | undefined {
  let from = range.since ?? Number.POSITIVE_INFINITY;
  if (range.since === undefined) {
    for (const source of sources)
      if (source.index.times.length > 0) from = Math.min(from, source.index.times[0]!);
  }
  return Number.isFinite(from) ? from : undefined;
}

/** Minutes of per-minute history the engine keeps: the range's length, from one hour to one day. */
export function windowFor(sources: LogSource[], range: { since?: number; until?: number }): number {
  const from = firstTimeOf(sources, range);
  const to = range.until ?? Date.now();
  const minutes = from !== undefined ? Math.ceil((to - from) / MINUTE_MS) + 2 : 60;
  return Math.min(1440, Math.max(60, minutes));
}

/** What a sample watches in a chunk of one file: the offsets of the lines it must not pass over unseen. */
export type ErrorWatch = (data: Buffer) => number[];

/**
 * The watches of a sample over the apps' files: `findErrorHints` with each app's `log_rules` that make
 * lines errors or fatal (compiled on the first file of the app, none for an app without such rules), so
 * that a sample never passes over a line only a user's rule makes an error. `lineOf`: the text of a
 * line behind its time prefix (`log_date_format`), for a rule anchored at the start.
 */
export function createErrorWatches(
  apps: readonly Pick<LogQueryTarget, 'logRules'>[],
): (app: number, stream: 'out' | 'err' | undefined, lineOf?: (line: string) => string) => ErrorWatch {
  const compiled: (ErrorRuleHints | undefined | null)[] = apps.map(() => null);
  return (app, stream, lineOf) => {
    if (compiled[app] === null) compiled[app] = compileErrorRuleHints(userRulesOf(apps[app]!).userRules);
    const rules = compiled[app];
    const isPrefixed = lineOf !== undefined;
    if (rules === undefined) return (data) => findErrorHints(data, stream, { isPrefixed });
    return (data) => findErrorHints(data, stream, { isPrefixed, rules, ...(isPrefixed ? { lineOf } : {}) });
  };
}
