import type { LogLine, LogStreamFilter, LogsResult, Subscription } from '@velos/core';
import {
  type AnswerBacklog,
  AnswerBudget,
  MAX_LOG_ANSWER_BYTES,
  MAX_LOG_ANSWERS_BYTES,
} from './logs/answer-budget.js';
import { logLineBytes } from './logs/log-line-bytes.js';
import { type TailSnapshot, tailLines } from './logs/log-tail.js';
import type { ProcessRecord } from './process-record.js';
import { createSubscriptionQueue } from './subscription-queue.js';

/** Lines `logs` and `logs.follow` return per process when the request does not say. */
export const DEFAULT_TAIL_LINES = 15;
/** Batches a follower may fall behind before the oldest are dropped. */
const FOLLOW_QUEUE_ITEMS = 1000;

/** Bytes of `logs` answers being built, daemon-wide. */
const answers = new AnswerBudget(MAX_LOG_ANSWERS_BYTES);

/** Waits until `maxBytes` of answer may be built (shared with `logs.search` and `logs.analyze`); resolves the release. */
export function acquireLogAnswer(maxBytes = MAX_LOG_ANSWER_BYTES): Promise<() => void> {
  return answers.acquire(maxBytes);
}

/**
 * Makes `logs` answers also wait while `backlog` is full: the daemon passes its IPC server's count of
 * answers written but not yet read by their clients.
 */
export function holdLogAnswersWhile(backlog: AnswerBacklog): void {
  answers.useBacklog(backlog);
}

/**
 * The last `lines` lines of each set of log files of `records`, merged by time (oldest first), within
 * `MAX_LOG_ANSWER_BYTES`: instances sharing files are tailed together (each line once), and when the
 * byte limit leaves older lines out the result says so in `cut`. Answers are built at most
 * `MAX_LOG_ANSWERS_BYTES` at once; the others wait. The bytes are given back once the caller has
 * had the answer (after the turn of the event loop in which it is sent).
 */
export async function tailLogs(
  records: ProcessRecord[],
  lines: number,
  stream: LogStreamFilter,
  maxBytes = MAX_LOG_ANSWER_BYTES,
): Promise<LogsResult> {
  if (lines <= 0 || records.length === 0) return { lines: [] };
  const release = await answers.acquire(maxBytes);
  try {
    await Promise.all(records.map((record) => record.pipeline.tailReady()));
    const groups = groupBySharedFiles(records.map((record) => record.pipeline.tailSnapshot()));
    let answer: LogLine[] = [];
    let omittedLines = 0;
    const cutFiles = new Set<string>();
    const fileOf = new Map<LogLine, string>();
    for (const group of groups) {
      const part = await tailLines(group, lines, stream, maxBytes);
      for (const line of part.lines) {
        fileOf.set(line, group.files[group.merged ? 'out' : line.stream].path);
      }
      omittedLines += part.omittedLines;
      for (const path of part.cutFiles) cutFiles.add(path);
      const merged = answer.length === 0 ? part.lines : mergeByTime(answer, part.lines);
      answer = newestWithin(merged, maxBytes);
      for (const line of merged.slice(0, merged.length - answer.length)) {
        omittedLines += 1;
        cutFiles.add(fileOf.get(line)!);
        fileOf.delete(line);
      }
    }
    if (cutFiles.size === 0) return { lines: answer };
    return { lines: answer, cut: { maxBytes, omittedLines, files: [...cutFiles] } };
  } finally {
    setImmediate(release);
  }
}

/**
 * Follows the logs of some processes: first the tail (one batch), then live batches as they come,
 * each at most `MAX_LOG_ANSWER_BYTES`; a consumer that falls more than 1000 batches behind loses the oldest ones. With `watch`, processes
 * that `watch` reports later (apps started after the follow began) are followed too.
 */
export function followLogs(
  records: ProcessRecord[],
  lines: number,
  stream: LogStreamFilter,
  watch?: (onRecord: (record: ProcessRecord) => void) => () => void,
): Subscription<LogLine[]> {
  let unsubscribers: (() => void)[] = [];
  const queue = createSubscriptionQueue<LogLine[]>({
    maxItems: FOLLOW_QUEUE_ITEMS,
    onCancel: () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      unsubscribers = [];
    },
  });
  // live batches that arrive before the tail is out wait here, so the order stays right
  let early: LogLine[][] | null = [];
  const onBatch = (batch: LogLine[]): void => {
    const kept = stream === 'all' ? batch : batch.filter((line) => line.stream === stream);
    for (const part of splitByBytes(kept, MAX_LOG_ANSWER_BYTES)) {
      if (early) early.push(part);
      else queue.push(part);
    }
  };
  unsubscribers = records.map((record) => record.pipeline.subscribe(onBatch));
  if (watch) unsubscribers.push(watch((record) => unsubscribers.push(record.pipeline.subscribe(onBatch))));
  tailLogs(records, lines, stream)
    .then((result) => result.lines)
    .catch(() => [] as LogLine[])
    .then((last) => {
      const seen = new Set(last.map(lineKey));
      if (last.length > 0) queue.push(last);
      for (const batch of early ?? []) {
        const fresh = batch.filter((line) => !seen.has(lineKey(line)));
        if (fresh.length > 0) queue.push(fresh);
      }
      early = null;
    });
  return queue.subscription;
}

function lineKey(line: LogLine): string {
  return `${line.id}|${line.ts}|${line.stream}|${line.line}`;
}

/** One snapshot per set of log files: the processes writing to the same files are tailed as one. */
function groupBySharedFiles(snapshots: TailSnapshot[]): TailSnapshot[] {
  const groups = new Map<string, TailSnapshot>();
  for (const snapshot of snapshots) {
    const key = `${snapshot.files.out.path}\0${snapshot.files.err.path}`;
    const group = groups.get(key);
    if (group) group.sources.push(...snapshot.sources);
    else groups.set(key, { ...snapshot, sources: [...snapshot.sources] });
  }
  for (const group of groups.values()) group.sources.sort((a, b) => a.id - b.id);
  return [...groups.values()];
}

/** The newest lines of `lines` (oldest first) that fit in `maxBytes`. */
function newestWithin(lines: LogLine[], maxBytes: number): LogLine[] {
  let bytes = 0;
  let start = lines.length;
  while (start > 0) {
    bytes += logLineBytes(lines[start - 1]!);
    if (bytes > maxBytes) break;
    start -= 1;
  }
  return start === 0 ? lines : lines.slice(start);
}

/** `lines` in consecutive parts of at most `maxBytes` each (a line alone may be larger), so no stream item passes a frame. */
function splitByBytes(lines: LogLine[], maxBytes: number): LogLine[][] {
  const parts: LogLine[][] = [];
  let part: LogLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = logLineBytes(line);
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(line);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** Merges two lists sorted by time; on equal times `a` comes first. */
function mergeByTime(a: LogLine[], b: LogLine[]): LogLine[] {
  const merged: LogLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]!.ts <= b[j]!.ts) merged.push(a[i++]!);
    else merged.push(b[j++]!);
  }
  return merged.concat(a.slice(i), b.slice(j));
}
