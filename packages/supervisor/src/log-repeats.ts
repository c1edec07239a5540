/** Lines of one shape written as they come in each window; more are counted instead. */
export const REPEAT_BURST_LINES = 5;
/** Length of the window in which repeats of one line are counted. */
export const REPEAT_WINDOW_MS = 10_000;
/** Shapes tracked at once; the oldest is summed up and forgotten beyond this. */
const MAX_TRACKED_SHAPES = 256;

/** Collapses repeated log lines: a few per window, then one summary line with the count. */
export interface RepeatFilter {
  /** Passes `line` on now, or counts it as a repeat of its shape. */
  push(line: string): void;
  /** Writes the summary of every window with counted repeats, and forgets them. */
  flush(): void;
}

/** A number of a line, and how the line wrote it (leading zeros kept). */
interface NumberSeen {
  value: number;
  text: string;
}

interface Shape {
  windowStartMs: number;
  written: number;
  repeats: number;
  lastLine: string;
  /** The lowest and highest value of each number of the lines counted (by position), null before one. */
  lows: NumberSeen[] | null;
  highs: NumberSeen[];
}

const NUMBERS = /\d+/g;

/** Notes the numbers of `line` (of the shape's key, so as many as the others have) in the shape's ranges. */
function noteNumbers(shape: Shape, line: string): void {
  const lows = shape.lows ?? [];
  shape.lows = lows;
  let index = 0;
  for (const match of line.matchAll(NUMBERS)) {
    const seen = { value: Number(match[0]), text: match[0] };
    if (lows.length <= index) {
      lows.push(seen);
      shape.highs.push(seen);
    } else {
      if (seen.value < lows[index]!.value) lows[index] = seen;
      if (seen.value > shape.highs[index]!.value) shape.highs[index] = seen;
    }
    index += 1;
  }
}

/** `line` with each number that varied among the counted lines shown as its range (`low..high`). */
function withRanges(line: string, shape: Shape): string {
  const { lows, highs } = shape;
  if (lows === null) return line;
  let index = 0;
  return line.replace(NUMBERS, (text) => {
    const low = lows[index];
    const high = highs[index];
    index += 1;
    if (low === undefined || high === undefined || low.value === high.value) return text;
    return `${low.text}..${high.text}`;
  });
}

/**
 * A filter in front of `emit` for the daemon's own log: lines of the same shape (equal once their
 * digits are ignored, so `ENOSPC` for batch 17 and batch 18 are one shape) pass
 * `REPEAT_BURST_LINES` times per `windowMs`; the rest of the window becomes one line
 * `last message repeated N more times in 10 s: <the last of them>`, written when the window ends, in
 * which a number that differed among them shows their range (`restarting in 1600..25600 ms`), so that
 * what changed (a growing back-off, the processes, the lines lost) is not lost with them.
 */
export function createRepeatFilter(
  emit: (line: string) => void,
  windowMs = REPEAT_WINDOW_MS,
  now: () => number = Date.now,
): RepeatFilter {
  const shapes = new Map<string, Shape>();
  let timer: NodeJS.Timeout | null = null;

  const summarise = (shape: Shape): void => {
    if (shape.repeats === 0) return;
    const seconds = Math.round(windowMs / 1000);
    emit(
      `last message repeated ${shape.repeats} more times in ${seconds} s: ${withRanges(shape.lastLine, shape)}`,
    );
    shape.repeats = 0;
    shape.lows = null;
    shape.highs = [];
  };

  const sweep = (): void => {
    const at = now();
    for (const [key, shape] of shapes) {
      if (at - shape.windowStartMs < windowMs) continue;
      summarise(shape);
      shapes.delete(key);
    }
    if (shapes.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    push(line) {
      const key = line.replace(NUMBERS, '#');
      const at = now();
      let shape = shapes.get(key);
      if (shape && at - shape.windowStartMs >= windowMs) {
        summarise(shape);
        shapes.delete(key);
        shape = undefined;
      }
      if (!shape) {
        shape = { windowStartMs: at, written: 0, repeats: 0, lastLine: line, lows: null, highs: [] };
        shapes.set(key, shape);
        if (shapes.size > MAX_TRACKED_SHAPES) {
          const [oldestKey, oldest] = shapes.entries().next().value as [string, Shape];
          summarise(oldest);
          shapes.delete(oldestKey);
        }
      }
      if (shape.written < REPEAT_BURST_LINES) {
        shape.written += 1;
        emit(line);
        return;
      }
      shape.repeats += 1;
      shape.lastLine = line;
      noteNumbers(shape, line);
      if (!timer) {
        timer = setInterval(sweep, windowMs);
        timer.unref();
      }
    },

    flush() {
      for (const shape of shapes.values()) summarise(shape);
      shapes.clear();
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
