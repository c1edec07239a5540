import { describe, expect, it } from 'vitest';
import type { Level } from '../src/levels.js';
import { LogEngine } from '../src/log-engine.js';
import { createRecordParser } from '../src/log-record.js';
import { type FixtureEvent, FORMAT_NAMES, generateFormat } from './fixtures/formats.js';

// Formats the engine was not tuned on (test/fixtures/formats.ts): every event's level, one template per
// kind of event and no template shared by two kinds, stack traces as one event, exact summary counts.

const EVENTS = 120;

/** `events` flattened to the lines a program writes, in order. */
function linesOf(events: FixtureEvent[]): string[] {
  return events.flatMap((event) => event.lines);
}

describe.each(FORMAT_NAMES)('format %s', (format) => {
  const events = generateFormat(format, EVENTS);

  it('classifies each event by what it says, and continues its stack trace', () => {
    const parse = createRecordParser();
    const wrong: string[] = [];
    for (const event of events) {
      const start = event.start ?? 0;
      event.lines.forEach((line, i) => {
        const parsed = parse(line);
        // a header line before the event's first line (java.util.logging's) is no event either
        if (parsed.isContinuation !== (i !== start))
          wrong.push(`continuation=${parsed.isContinuation}: ${line}`);
        if (i === start && parsed.level !== event.level)
          wrong.push(`${parsed.level} not ${event.level}: ${line}`);
      });
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('gives one template to each kind of event and none to two kinds', () => {
    const engine = new LogEngine();
    const ids = new Map<string, Set<number>>();
    const firstIds: { kind: string; id: number }[] = [];
    for (const event of events) {
      const records = event.lines.map((line) => engine.push(line));
      firstIds.push({ kind: event.kind, id: records[event.start ?? 0]!.templateId });
    }
    for (const { kind, id } of firstIds) {
      const live = engine.miner.resolve(id);
      expect(live, `${kind} was evicted`).toBeDefined();
      const set = ids.get(kind) ?? new Set<number>();
      set.add(live!);
      ids.set(kind, set);
    }
    const templates = [...ids.entries()].map(([kind, set]) => ({
      kind,
      templates: [...set].map((id) => engine.miner.template(id)),
    }));
    for (const entry of templates) expect(entry.templates, entry.kind).toHaveLength(1);
    const owners = new Map<number, string>();
    for (const [kind, set] of ids) {
      const id = [...set][0]!;
      expect(owners.get(id), `${kind} shares template ${engine.miner.template(id)}`).toBeUndefined();
      owners.set(id, kind);
    }
  });

  it('counts events by level and the continuation lines exactly in the summary', () => {
    const engine = new LogEngine();
    for (const line of linesOf(events)) engine.push(line);
    const summary = engine.summary();
    const levels: Record<Level, number> = { fatal: 0, error: 0, warn: 0, info: 0, debug: 0 };
    for (const event of events) levels[event.level]++;
    expect(summary.levels).toEqual(levels);
    expect(summary.continuationLines).toBe(linesOf(events).length - events.length);
    expect(summary.lines).toBe(linesOf(events).length);
    const errors = levels.error + levels.fatal;
    expect(summary.errors.reduce((sum, pattern) => sum + pattern.count, 0)).toBe(errors);
  });
});
