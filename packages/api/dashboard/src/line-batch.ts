import type { LogLine } from '@velos/core';

/** How long live lines gather before they are drawn together. */
export const LINE_BATCH_MS = 200;

/**
 * Wraps a listener of live lines so that the lines of many socket messages are drawn at once, at most
 * every `ms`, and at most the newest `keep` of them: a busy app sends a message every few milliseconds,
 * and drawing each (a layout, a scroll, a re-render of the count) kept the page's renderer busy all the
 * time. Returns the batched listener and its stop (which drops the lines not drawn yet).
 */
export function batchLines(
  draw: (lines: LogLine[]) => void,
  keep: number,
  ms = LINE_BATCH_MS,
): { add: (lines: LogLine[]) => void; stop: () => void } {
  let pending: LogLine[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const lines = pending;
    pending = [];
    draw(lines);
  };
  return {
    add: (lines) => {
      for (const line of lines) pending.push(line);
      // a flood gathers no more than the panel keeps
      if (pending.length > keep * 2) pending = pending.slice(-keep);
      timer ??= setTimeout(flush, ms);
    },
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
      pending = [];
    },
  };
}
