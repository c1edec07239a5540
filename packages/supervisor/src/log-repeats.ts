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

interface Shape {
  windowStartMs: number;
  written: number;
  repeats: number;
  lastLine: string;
}

/**
 * A filter in front of `emit` for the daemon's own log: lines of the same shape (equal once their
 * digits are ignored, so `ENOSPC` for batch 17 and batch 18 are one shape) pass
 * `REPEAT_BURST_LINES` times per `windowMs`; the rest of the window becomes one line
 * `last message repeated N more times in 10 s: <the last of them>`, written when the window ends.
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
    emit(`last message repeated ${shape.repeats} more times in ${seconds} s: ${shape.lastLine}`);
    shape.repeats = 0;
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
      const key = line.replace(/\d+/g, '#');
      const at = now();
      let shape = shapes.get(key);
      if (shape && at - shape.windowStartMs >= windowMs) {
        summarise(shape);
        shapes.delete(key);
        shape = undefined;
      }
      if (!shape) {
        shape = { windowStartMs: at, written: 0, repeats: 0, lastLine: line };
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
