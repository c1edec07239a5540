import { lstat } from 'node:fs/promises';
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
/** Batches a follower may fall behind before the oldest are dropped (a bound the pacing below keeps far from). */
const FOLLOW_QUEUE_ITEMS = 1000;
/** Batches waiting for a follower's reader from which the lines that come are counted, not queued. */
const FOLLOW_BEHIND_ITEMS = 8;
/** Bytes of lines (see `logLineBytes`) waiting for a follower's reader from which the same holds. */
const FOLLOW_BEHIND_BYTES = MAX_LOG_ANSWER_BYTES;

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
 * had the answer (after the turn of the event loop in which it is sent). `withBytes`: lines that are
 * not valid UTF-8 carry their bytes (see `LogsRequest.withBytes`).
 */
export async function tailLogs(
  records: ProcessRecord[],
  lines: number,
  stream: LogStreamFilter,
  maxBytes = MAX_LOG_ANSWER_BYTES,
  withBytes = false,
): Promise<LogsResult> {
  if (lines <= 0 || records.length === 0) return { lines: [] };
  const release = await answers.acquire(maxBytes);
  try {
    await Promise.all(records.map((record) => record.pipeline.tailReady()));
    const groups = groupBySharedFiles(records.map((record) => record.pipeline.tailSnapshot()));
    const byId = new Map(records.map((record) => [record.id, record]));
    let answer: LogLine[] = [];
    let omittedLines = 0;
    const unattributed: string[] = [];
    // each file holding lines left out, with the end of the newest of them (-1: not known)
    const cutFiles = new Map<string, { endOffset: number; group: number }>();
    const fileOf = new Map<LogLine, { path: string; endOffset: number; group: number }>();
    for (const [group, snapshot] of groups.entries()) {
      const part = await tailLines(snapshot, lines, stream, maxBytes, withBytes);
      // files of one process of several (log_per_instance): every line is known to be its own
      if (snapshot.writers === 1 && hasSeveralProcesses(byId.get(snapshot.sources[0]?.id ?? -1)))
        for (const line of part.lines) line.isIdKnown = true;
      if (part.unattributed) unattributed.push(...part.unattributed);
      part.lines.forEach((line, index) => {
        // a file line: the file it was read from (a rotated one, after velos update when the rings are empty)
        const place = part.places?.[index];
        const path = place?.path ?? snapshot.files[snapshot.merged ? 'out' : line.stream].path;
        fileOf.set(line, { path, endOffset: place?.endOffset ?? -1, group });
      });
      omittedLines += part.omittedLines;
      for (const cut of part.cutFiles) cutFiles.set(cut.path, { endOffset: cut.endOffset, group });
      const merged = answer.length === 0 ? part.lines : mergeByTime(answer, part.lines);
      answer = newestWithin(merged, maxBytes);
      for (const line of merged.slice(0, merged.length - answer.length)) {
        omittedLines += 1;
        const file = fileOf.get(line)!;
        // newer lines of that app are left out now: where they end in its other files is not known here
        for (const cut of cutFiles.values()) if (cut.group === file.group) cut.endOffset = -1;
        // lines are left out oldest first: this one is the newest left out of its file so far
        cutFiles.set(file.path, { endOffset: file.endOffset, group: file.group });
        fileOf.delete(line);
      }
    }
    // older lines of the instances asked for are in files shared with others: said only when missed
    const shared = unattributed.length > 0 && answer.length < lines ? { unattributed } : {};
    const gone = await goneFiles(groups, stream, answer, fileOf);
    if (cutFiles.size === 0) return { lines: answer, ...shared, ...gone };
    const endOffsets = [...cutFiles.values()].map((cut) => cut.endOffset);
    return {
      lines: answer,
      cut: { maxBytes, omittedLines, files: [...cutFiles.keys()], endOffsets },
      ...shared,
      ...gone,
    };
  } finally {
    setImmediate(release);
  }
}

/**
 * The paths of `paths` (each once) that name no file now: a log file removed under the daemon, made
 * again only at the app's next line. A path that cannot be checked (a directory it may not search)
 * counts as there.
 */
export async function missingLogFiles(paths: Iterable<string>): Promise<string[]> {
  const unique = [...new Set(paths)];
  const isGone = await Promise.all(
    unique.map((path) =>
      lstat(path).then(
        () => false,
        (error: NodeJS.ErrnoException) => error.code === 'ENOENT' || error.code === 'ENOTDIR',
      ),
    ),
  );
  return unique.filter((_, index) => isGone[index]);
}

/**
 * The current files of a tail's streams that are gone (`LogsResult.missingFiles`), each with the lines
 * of the answer held of it in memory: a ring line is told as its stream's current file.
 */
async function goneFiles(
  snapshots: TailSnapshot[],
  stream: LogStreamFilter,
  answer: LogLine[],
  fileOf: Map<LogLine, { path: string }>,
): Promise<Pick<LogsResult, 'missingFiles' | 'missingHeldLines'>> {
  const paths = snapshots.flatMap((snapshot) => {
    if (snapshot.merged) return [snapshot.files.out.path];
    return stream === 'all'
      ? [snapshot.files.out.path, snapshot.files.err.path]
      : [snapshot.files[stream].path];
  });
  const missingFiles = await missingLogFiles(paths);
  if (missingFiles.length === 0) return {};
  const missingHeldLines = missingFiles.map(
    (path) => answer.filter((line) => fileOf.get(line)?.path === path).length,
  );
  return { missingFiles, missingHeldLines };
}

/**
 * Follows the logs of some processes: first the tail (one batch), then live batches as they come,
 * each at most `MAX_LOG_ANSWER_BYTES`. While its reader is behind (8 batches or 4 MiB of lines wait
 * for it: a `velos logs -f` whose output is not read) the lines that come are counted, not built nor
 * queued; once it takes a batch again, each process whose lines were left out gets one marker line
 * (`LogLine.skipped`: how many) before its next lines. With `watch`, processes that `watch` reports
 * later (apps started after the follow began) are followed too.
 */
export function followLogs(
  records: ProcessRecord[],
  lines: number,
  stream: LogStreamFilter,
  watch?: (onRecord: (record: ProcessRecord) => void) => () => void,
  withBytes = false,
): Subscription<LogLine[]> {
  let unsubscribers: (() => void)[] = [];
  const sizes = new WeakMap<LogLine[], number>();
  const skipped = new Map<number, { name: string; lines: number }>();
  const queue = createSubscriptionQueue<LogLine[]>({
    maxItems: FOLLOW_QUEUE_ITEMS,
    onCancel: () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      unsubscribers = [];
    },
    sizeOf: (item) => sizes.get(item) ?? 0,
    // the reader took a batch: the markers of what it missed go after those still waiting
    onTaken: () => {
      if (skipped.size > 0 && !isBehind()) pushMarkers();
    },
  });
  // live batches that arrive before the tail is out wait here, so the order stays right
  let early: LogLine[][] | null = [];
  const isBehind = (): boolean =>
    early === null && (queue.queued >= FOLLOW_BEHIND_ITEMS || queue.queuedSize >= FOLLOW_BEHIND_BYTES);
  const push = (part: LogLine[], bytes = linesBytes(part)): void => {
    sizes.set(part, bytes);
    queue.push(part);
  };
  const pushMarkers = (): void => {
    const markers = [...skipped].map(([id, { name, lines: count }]) => skipMarker(id, name, count, stream));
    skipped.clear();
    push(markers);
  };
  const onBatch = (batch: LogLine[]): void => {
    let kept = stream === 'all' ? batch : batch.filter((line) => line.stream === stream);
    if (kept.length === 0) return;
    // live lines are shared by every follower: only those that asked for bytes get them
    if (!withBytes && kept.some((line) => line.bytes !== undefined)) kept = kept.map(withoutBytes);
    if (early === null && skipped.size > 0) pushMarkers();
    for (const { lines: part, bytes } of splitByBytes(kept, MAX_LOG_ANSWER_BYTES)) {
      if (early) early.push(part);
      else push(part, bytes);
    }
  };
  const subscribe = (record: ProcessRecord): (() => void) =>
    record.pipeline.subscribe(
      (batch) => {
        // a live line is its process's: marked in place, as every follower of the process marks it
        if (hasSeveralProcesses(record)) for (const line of batch) line.isIdKnown = true;
        onBatch(batch);
      },
      {
        isBehind,
        onSkipped: (count, from) => {
          if (stream !== 'all' && from !== stream) return;
          const entry = skipped.get(record.id);
          if (entry) entry.lines += count;
          else skipped.set(record.id, { name: record.app.spec.name, lines: count });
        },
      },
    );
  unsubscribers = records.map(subscribe);
  if (watch) unsubscribers.push(watch((record) => unsubscribers.push(subscribe(record))));
  tailLogs(records, lines, stream, MAX_LOG_ANSWER_BYTES, withBytes)
    .then((result) => result.lines)
    .catch(() => [] as LogLine[])
    .then((last) => {
      const seen = new Set(last.map(lineKey));
      if (last.length > 0) push(last);
      for (const batch of early ?? []) {
        const fresh = batch.filter((line) => !seen.has(lineKey(line)));
        if (fresh.length > 0) push(fresh);
      }
      early = null;
    });
  return queue.subscription;
}

/** The app of `record` runs several processes (cluster instances): its lines say which (`LogLine.isIdKnown`). */
function hasSeveralProcesses(record: ProcessRecord | undefined): boolean {
  return record !== undefined && record.app.ids.length > 1;
}

/** The bytes of `lines` in an answer (see `logLineBytes`). */
function linesBytes(lines: LogLine[]): number {
  let bytes = 0;
  for (const line of lines) bytes += logLineBytes(line);
  return bytes;
}

/** The line a follow gets in place of `count` lines of process `id` it fell behind on. */
function skipMarker(id: number, name: string, count: number, stream: LogStreamFilter): LogLine {
  const what = count === 1 ? '1 line' : `${count} lines`;
  return {
    ts: Date.now(),
    stream: stream === 'err' ? 'err' : 'out',
    id,
    name,
    pid: null,
    line: `velos: ${what} of ${name} skipped: this follow fell behind (its reader did not take them)`,
    skipped: count,
  };
}

function withoutBytes(line: LogLine): LogLine {
  if (line.bytes === undefined) return line;
  const { bytes: _bytes, ...rest } = line;
  return rest;
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

/**
 * `lines` in consecutive parts of at most `maxBytes` each (a line alone may be larger), so no stream
 * item passes a frame; each with its bytes (see `logLineBytes`).
 */
function splitByBytes(lines: LogLine[], maxBytes: number): { lines: LogLine[]; bytes: number }[] {
  const parts: { lines: LogLine[]; bytes: number }[] = [];
  let part: LogLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = logLineBytes(line);
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push({ lines: part, bytes });
      part = [];
      bytes = 0;
    }
    part.push(line);
    bytes += size;
  }
  if (part.length > 0) parts.push({ lines: part, bytes });
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
