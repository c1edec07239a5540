import type { LogLine } from '@velos/core';

/**
 * What a log follow has shown, to tell the new lines of a reopened follow's tail from those shown
 * before the daemon went away (see `createLogResume`).
 */
export interface LogResume {
  /** Notes lines as shown (in the order shown). */
  seen(lines: readonly LogLine[]): void;
  /** The daemon went away now: lines of a process never seen are new if they are later. */
  lost(at: number): void;
  /** The lines of a reopened follow's first batch (its tail, oldest first) not shown yet. */
  unseen(tail: readonly LogLine[]): LogLine[];
}

/** Lines remembered per process and stream (and per app and stream), to find them in a new tail. */
const CONTEXT_LINES = 8;

/**
 * Tracks the lines a follow showed, so that after a daemon hand-over (`velos update`) or restart the
 * new daemon's tail (ring, then files) adds only what is new. A tail's lines read from a plain file
 * carry the file's time, not their own, so lines are matched by their text: for each process and
 * stream of the tail, the last lines shown (up to 8, in order; of the process, or of its app when
 * instances share one file) are looked for in the tail (or the last of them at its start), and what
 * follows them is new. When a line repeats, the earliest place that fits is taken: a repeat may be
 * shown twice, none is left out. When they are not found (more lines were written meanwhile than the
 * tail holds, a flush) every line of the tail is new; a process with no line shown yet gets the lines
 * later than the loss.
 */
export function createLogResume(startedAt = Date.now()): LogResume {
  const byProcess = new Map<string, string[]>();
  const byApp = new Map<string, string[]>();
  let floor = startedAt;
  const remember = (map: Map<string, string[]>, key: string, text: string) => {
    let texts = map.get(key);
    if (!texts) {
      texts = [];
      map.set(key, texts);
    }
    texts.push(text);
    if (texts.length > CONTEXT_LINES) texts.shift();
  };
  const seen = (lines: readonly LogLine[]) => {
    for (const line of lines) {
      // a skip marker is the daemon's, not a line of the app a new tail could hold
      if (line.skipped !== undefined) continue;
      remember(byProcess, processKey(line), line.line);
      remember(byApp, appKey(line), line.line);
      floor = Math.max(floor, line.ts);
    }
  };
  return {
    seen,
    lost(at) {
      floor = Math.max(floor, at);
    },
    unseen(tail) {
      const groups = new Map<string, number[]>();
      tail.forEach((line, index) => {
        const key = processKey(line);
        const group = groups.get(key);
        if (group) group.push(index);
        else groups.set(key, [index]);
      });
      const isNew = new Array<boolean>(tail.length).fill(false);
      for (const [key, indexes] of groups) {
        const texts = indexes.map((index) => tail[index]!.line);
        const first = tail[indexes[0]!]!;
        const shown = [byProcess.get(key), byApp.get(appKey(first))].filter((t) => t !== undefined);
        if (shown.length === 0) {
          for (const index of indexes) isNew[index] = tail[index]!.ts > floor;
          continue;
        }
        let start = 0;
        for (const context of shown) {
          const end = endOf(texts, context);
          if (end >= 0) {
            start = end + 1;
            break;
          }
        }
        for (const index of indexes.slice(start)) isNew[index] = true;
      }
      const fresh = tail.filter((_, index) => isNew[index]);
      seen(fresh);
      return fresh;
    },
  };
}

/**
 * The index in `texts` where the lines of `context` end, in order: the earliest place that holds them
 * all, else the longest part of them that `texts` starts with (a tail shorter than what was
 * remembered); -1 when they are not there.
 */
function endOf(texts: readonly string[], context: readonly string[]): number {
  const k = context.length;
  const endsAt = (end: number, m: number) => {
    for (let i = 0; i < m; i += 1) if (texts[end - i] !== context[k - 1 - i]) return false;
    return true;
  };
  for (let end = k - 1; end < texts.length; end += 1) if (endsAt(end, k)) return end;
  for (let m = Math.min(k - 1, texts.length); m > 0; m -= 1) if (endsAt(m - 1, m)) return m - 1;
  return -1;
}

function processKey(line: LogLine): string {
  return `${line.id}\0${line.stream}`;
}

function appKey(line: LogLine): string {
  return `${line.name}\0${line.stream}`;
}
