import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { createClassifier, type LevelRule } from './classifier.js';
import { dedupe, formatDedupeEntry } from './dedupe.js';
import { readLogRecords } from './file-input.js';
import type { Level } from './levels.js';
import { LogEngine } from './log-engine.js';
import type { LogRecord } from './log-record.js';
import { createMatcher } from './search.js';
import { formatSummary, summaryToJson } from './summary-format.js';
import { HEADER_WAIT_MS, TemplateLines } from './template-lines.js';
import { TemplateMiner } from './template-miner.js';

/** Options shared by the commands, already validated by the argument parser. */
export interface CommandOptions {
  format: 'text' | 'tsv' | 'json';
  utc: boolean;
  top: number;
  stream: boolean;
  maxTemplates: number | undefined;
  text: string | undefined;
  regex: string | undefined;
  ignoreCase: boolean;
  level: Level | undefined;
  since: number | undefined;
  until: number | undefined;
  limit: number | undefined;
  windowMs: number | undefined;
  /** `--rules`: the user's rules, tried before the built-in ones. */
  userRules: readonly LevelRule[] | undefined;
  /** Called once when the input looks like binary data (see `looksBinary`); it is read as text all the same. */
  onBinaryInput?: (() => void) | undefined;
}

/** Buffered stdout that waits for `drain`, so large outputs keep memory flat. */
export class Output {
  private chunk = '';

  async line(text: string): Promise<void> {
    this.chunk += `${text}\n`;
    if (this.chunk.length >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunk === '') return;
    const ok = process.stdout.write(this.chunk);
    this.chunk = '';
    if (!ok) await once(process.stdout, 'drain');
  }
}

export async function summarizeCommand(
  input: Readable | string,
  options: CommandOptions,
  out: Output,
): Promise<void> {
  const engine = new LogEngine({ maxTemplates: options.maxTemplates, userRules: options.userRules });
  for await (const record of readLogRecords(input, { onBinary: options.onBinaryInput })) engine.push(record);
  engine.flush();
  const summary = engine.summary({ top: options.top });
  await out.line(
    options.format === 'json' ? JSON.stringify(summaryToJson(summary)) : formatSummary(summary, options),
  );
}

/**
 * One output line per input line, in order: `<templateId>\t<template>`. By default the ids are final (a
 * template merged later answers for the lines read before); `--stream` prints each line's id at once
 * (a .NET console header's once its message line comes, see `TemplateLines`).
 */
export async function templatesCommand(
  input: Readable | string,
  options: CommandOptions,
  out: Output,
): Promise<void> {
  const merged = new Map<number, number>();
  const evicted = new Map<number, string>();
  const miner = new TemplateMiner({
    maxTemplates: options.maxTemplates,
    online: options.stream,
    onMerge: (from, into) => merged.set(from, into),
    onEvict: (id, template) => evicted.set(id, template),
  });
  const format = (id: number): string => {
    const text = miner.template(id) ?? evicted.get(id) ?? '';
    return options.format === 'json' ? JSON.stringify({ id, template: text }) : `${id}\t${text}`;
  };
  const lines = new TemplateLines(miner);
  const records = readLogRecords(input, { onBinary: options.onBinaryInput });
  if (options.stream) {
    try {
      while (true) {
        const next = records.next();
        // a .NET header waits for its message line: a live input that stops after it still gets its line
        let result = lines.isHolding ? await withTimeout(next, HEADER_WAIT_MS) : await next;
        if (result === TIMED_OUT) {
          for (const id of lines.release()) await out.line(format(id));
          await out.flush();
          result = await next;
        }
        if (result.done) break;
        for (const id of lines.add(result.value.line)) await out.line(format(id));
      }
    } finally {
      await records.return();
    }
    for (const id of lines.release()) await out.line(format(id));
    return;
  }
  let ids = new Int32Array(65_536);
  let n = 0;
  const keep = (done: number[]): void => {
    for (const id of done) {
      if (n === ids.length) {
        const grown = new Int32Array(ids.length * 2);
        grown.set(ids);
        ids = grown;
      }
      ids[n++] = id;
    }
  };
  for await (const record of records) keep(lines.add(record.line));
  keep(lines.release());
  const final = (id: number): number => {
    let live = id;
    // Bounded: a template made another's shape may later merge elsewhere, so the chain can turn back.
    for (
      let hops = 0, next = merged.get(live);
      next !== undefined && hops < 64;
      hops++, next = merged.get(live)
    )
      live = next;
    return live;
  };
  for (let i = 0; i < n; i++) await out.line(format(final(ids[i]!)));
}

export async function classifyCommand(
  input: Readable | string,
  options: CommandOptions,
  out: Output,
): Promise<void> {
  const classify = createClassifier({ userRules: options.userRules });
  for await (const record of readLogRecords(input, { onBinary: options.onBinaryInput })) {
    const level = classify(record.line);
    await out.line(
      options.format === 'json' ? JSON.stringify({ level, line: record.line }) : `${level}\t${record.line}`,
    );
  }
}

export async function searchCommand(
  input: Readable | string,
  options: CommandOptions,
  out: Output,
): Promise<void> {
  const match = createMatcher({
    text: options.text,
    regex: options.regex,
    ignoreCase: options.ignoreCase,
    level: options.level,
    since: options.since,
    until: options.until,
    userRules: options.userRules,
  });
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let found = 0;
  let index = 0;
  for await (const record of readLogRecords(input, { onBinary: options.onBinaryInput })) {
    const hit = match(record, index++);
    if (hit === undefined) continue;
    if (options.format !== 'json') await out.line(hit.line);
    else {
      const at = hit.ts === undefined ? {} : { at: iso(hit.ts) };
      await out.line(JSON.stringify({ line: hit.index + 1, ...at, level: hit.level, text: hit.line }));
    }
    if (++found >= limit) return;
  }
}

export async function dedupeCommand(
  input: Readable | string,
  options: CommandOptions,
  out: Output,
): Promise<void> {
  const entries = dedupe(await collect(input, options), {
    windowMs: options.windowMs,
    maxTemplates: options.maxTemplates,
    userRules: options.userRules,
  });
  for (const entry of entries) {
    if (options.format !== 'json') await out.line(formatDedupeEntry(entry, options));
    else {
      const { templateId, template, count, level, firstTs, lastTs } = entry;
      const times =
        firstTs === undefined || lastTs === undefined ? {} : { first: iso(firstTs), last: iso(lastTs) };
      await out.line(JSON.stringify({ id: templateId, template, count, level, ...times, line: entry.line }));
    }
  }
}

async function collect(input: Readable | string, options: CommandOptions): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const record of readLogRecords(input, { onBinary: options.onBinaryInput })) records.push(record);
  return records;
}

const TIMED_OUT = Symbol('timed out');

/** `promise`, or `TIMED_OUT` when it has not settled within `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}
