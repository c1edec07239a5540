import type { LogLine, LogRuleSpec } from '@velos/core';
import {
  type Classifier,
  createClassifier,
  EventTracker,
  ExitContext,
  type ExitFact,
  isCrashExit,
  type Level,
} from '@velos/log-engine';
import { isDaemonNote } from './daemon-note.js';
import { eventTextOf, recordOf } from './line-events.js';
import type { LogQueryTarget } from './log-target.js';
import { userRulesOf } from './target-rules.js';

/** An app's `log_rules`; undefined when it has none. */
type RulesOf = readonly LogRuleSpec[] | undefined;

/** The events of one process: where each of its streams stands, and the line that began the current one. */
interface ProcessEvents {
  tracker: EventTracker;
  heads: { out?: LogLine; err?: LogLine };
}

/**
 * Gives log lines the level a search by level judges them at (`logs.search`, ENG-1), one line at a
 * time in their order, so that a tail or a live follow (`withLevels`) and the engine never disagree:
 * a JSON line's own level, else the engine's classifier with the app's `log_rules` tried first, a
 * continuation line (a stack frame) taking the level of the line that began its event. Made when a
 * client asks, never on the capture path: lines nobody reads are never classified.
 */
export class LineLeveler {
  /** Each app's classifier, with the rules it was made with: rules a config reload replaced make a new one. */
  private readonly classifiers = new Map<string, { rules: RulesOf; classify: Classifier }>();
  private readonly processes = new Map<number, ProcessEvents>();

  /** `rulesOf` gives an app's `log_rules` by name, read again for each line that begins an event. */
  constructor(private readonly rulesOf: (name: string) => RulesOf) {}

  /** The level of `line`, the next of its process and stream, and whether it continues an event. */
  judge(line: LogLine): { level: Level; isContinuation: boolean } {
    const events = this.eventsOf(line);
    const stream = line.stream;
    const [judged, message] = eventTextOf(line.line);
    if (judged.length === 0) events.tracker.start(judged, stream);
    const isContinuation = judged.length !== 0 && events.tracker.judge(judged, stream, undefined, message);
    if (!isContinuation) events.heads[stream] = line;
    return { level: events.tracker.level(stream), isContinuation };
  }

  /** Copies of `lines`, each with its level (`lvl`); the lines themselves are shared, left as they are. */
  level(lines: readonly LogLine[]): LogLine[] {
    return lines.map((line) =>
      line.skipped === undefined ? { ...line, lvl: this.judge(line).level } : line,
    );
  }

  private eventsOf(line: LogLine): ProcessEvents {
    let events = this.processes.get(line.id);
    if (events === undefined) {
      const name = line.name;
      const heads: ProcessEvents['heads'] = {};
      const tracker = new EventTracker((_text, stream) => {
        const head = stream === undefined ? undefined : heads[stream];
        if (head === undefined) return 'info';
        return (head.lvl as Level | undefined) ?? this.classifierOf(name)(head.line, { stream: head.stream });
      });
      events = { tracker, heads };
      this.processes.set(line.id, events);
    }
    return events;
  }

  private classifierOf(name: string): Classifier {
    const rules = this.rulesOf(name);
    let made = this.classifiers.get(name);
    if (made === undefined || made.rules !== rules) {
      made = {
        rules,
        classify: createClassifier(rules === undefined ? {} : userRulesOf({ logRules: rules })),
      };
      this.classifiers.set(name, made);
    }
    return made.classify;
  }
}

/**
 * A tail's lines (oldest first) with their levels as a search by level gives them (see `LineLeveler`),
 * the exit context included: the stderr lines just before a crash of their app are raised to error
 * (`ExitContext`), the app's exits read from the event store. Copies: the lines given are left alone.
 */
export async function levelTail(
  lines: readonly LogLine[],
  targets: readonly LogQueryTarget[],
): Promise<LogLine[]> {
  const leveled = lines.map((line) => ({ ...line }));
  const leveler = new LineLeveler((name) => targets.find((app) => app.name === name)?.logRules);
  const exitsOf = await crashesOf(leveled, targets);
  const contexts = new Map<number, ExitContext<LogLine>>();
  for (const line of leveled) {
    if (line.skipped !== undefined) continue;
    const { level, isContinuation } = leveler.judge(line);
    line.lvl = level;
    const exits = line.stream === 'err' ? exitsOf.get(line.name) : undefined;
    if (exits === undefined) continue;
    let context = contexts.get(line.id);
    if (context === undefined) {
      context = new ExitContext<LogLine>(
        exits,
        (parsed, held) => {
          held.lvl = parsed.level;
        },
        { isNote: isDaemonNote },
      );
      contexts.set(line.id, context);
    }
    context.push(recordOf(line.ts, 'err', line.line, level, isContinuation), line);
  }
  for (const context of contexts.values()) context.flush();
  return leveled;
}

/** The crash exits of each app that has stderr lines among `lines`, from its first line on; none: left out. */
async function crashesOf(
  lines: readonly LogLine[],
  targets: readonly LogQueryTarget[],
): Promise<Map<string, ExitFact[]>> {
  const since = new Map<string, number>();
  for (const line of lines) {
    if (line.stream === 'err' && line.skipped === undefined && !since.has(line.name))
      since.set(line.name, line.ts);
  }
  const crashes = new Map<string, ExitFact[]>();
  for (const [name, first] of since) {
    const target = targets.find((app) => app.name === name);
    const exits = (await target?.exits?.({ since: first })) ?? [];
    if (exits.some(isCrashExit)) crashes.set(name, exits);
  }
  return crashes;
}
