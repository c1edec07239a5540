import type { LevelRule } from './classifier.js';
import { type Level, levelSeverity } from './levels.js';
import { createRecordParser, type LogRecord, type ParsedRecord } from './log-record.js';
import type { MaskOptions } from './masks.js';
import { TemplateMiner } from './template-miner.js';
import { formatClock, type TimeFormatOptions } from './time-format.js';

/** Lines of one template collapsed together (ENG-2). */
export interface DedupeEntry {
  templateId: number;
  template: string;
  /** Its events: the lines that continue one (stack frames, blank lines) are collapsed with it. */
  count: number;
  /** The most severe level among the lines. */
  level: Level;
  firstTs: number | undefined;
  lastTs: number | undefined;
  /** Index of the first and last line in the input. */
  firstIndex: number;
  lastIndex: number;
  /** The first line, as written (a .NET console entry's two lines as one: `info: Category[14] message`). */
  line: string;
}

/** Options of `dedupe`. */
export interface DedupeOptions {
  /** A group closes once a line comes this long after the group's first line; default: never. */
  windowMs?: number;
  masks?: MaskOptions;
  rules?: readonly LevelRule[];
  /** A user's rules, tried before labels and the content rules (see `compileUserRules`). */
  userRules?: readonly LevelRule[];
  maxTemplates?: number;
}

/**
 * Collapses lines of the same template into entries, in order of first appearance; with `windowMs`, a
 * template seen again after the window starts a new entry. A line that continues an event (a stack
 * frame, a blank line: `isContinuationLine`) goes with that event, not into an entry of its own; a .NET
 * console entry (`info: Category[14]`, its message on the next line) is one line of its message, shown as
 * `info: Category[14] message`.
 *
 * @example
 * dedupe(['GET /a 200 3ms', 'GET /b 200 5ms']).map((e) => formatDedupeEntry(e));
 */
export function dedupe(records: Iterable<LogRecord | string>, options: DedupeOptions = {}): DedupeEntry[] {
  const evicted = new Map<number, string>();
  const miner = new TemplateMiner({
    maxTemplates: options.maxTemplates,
    masks: options.masks,
    onEvict: (id, template) => evicted.set(id, template),
  });
  const parse = createRecordParser({ rules: options.rules, userRules: options.userRules });
  const ids: number[] = [];
  const parsed: { ts: number | undefined; level: Level; line: string; index: number }[] = [];
  let lastTs: number | undefined;
  let index = 0;
  const note = (record: ParsedRecord, at: number): void => {
    ids.push(miner.add(record.message));
    // a .NET console entry as its one-line format writes it: `info: Category[14] message`
    const line = record.header === undefined ? record.line : `${record.header} ${record.message}`;
    parsed.push({ ts: record.ts ?? lastTs, level: record.level, line, index: at });
  };
  // the line of the .NET console header waiting for its message, and whether one waits
  let headerIndex = 0;
  let isWaiting = false;
  for (const input of records) {
    const record = parse(input);
    lastTs = record.ts ?? lastTs;
    if (record.orphan !== undefined) note(record.orphan, headerIndex);
    if (record.awaitsMessage === true && (!isWaiting || record.orphan !== undefined)) headerIndex = index;
    isWaiting = record.awaitsMessage === true;
    // a stack frame, a blank line…: a line of the event before it, collapsed with that event's entry
    if (!record.isContinuation) note(record, index);
    index++;
  }
  for (const orphan of parse.end()) note(orphan, headerIndex);
  const window = options.windowMs ?? Number.POSITIVE_INFINITY;
  const open = new Map<number, DedupeEntry>();
  const entries: DedupeEntry[] = [];
  parsed.forEach((record, i) => {
    const id = miner.resolve(ids[i]!) ?? ids[i]!;
    let entry = open.get(id);
    if (entry?.firstTs !== undefined && record.ts !== undefined && record.ts - entry.firstTs > window) {
      entry = undefined;
    }
    if (entry === undefined) {
      entry = {
        templateId: id,
        template: miner.template(id) ?? evicted.get(id) ?? record.line,
        count: 0,
        level: record.level,
        firstTs: record.ts,
        lastTs: record.ts,
        firstIndex: record.index,
        lastIndex: record.index,
        line: record.line,
      };
      open.set(id, entry);
      entries.push(entry);
    }
    entry.count++;
    entry.lastIndex = record.index;
    if (record.ts !== undefined) entry.lastTs = record.ts;
    if (levelSeverity(record.level) > levelSeverity(entry.level)) entry.level = record.level;
  });
  return entries;
}

/**
 * One line per entry: the line itself when it occurred once, else
 * `template (x847, first 10:05, last 10:47)` (line numbers when the lines carry no time).
 */
export function formatDedupeEntry(entry: DedupeEntry, options: TimeFormatOptions = {}): string {
  if (entry.count === 1) return entry.line;
  const { firstTs, lastTs } = entry;
  const where =
    firstTs === undefined || lastTs === undefined
      ? `lines ${entry.firstIndex + 1}–${entry.lastIndex + 1}`
      : `first ${formatClock(firstTs, options)}, last ${formatClock(lastTs, options)}`;
  return `${entry.template} (x${entry.count}, ${where})`;
}
