/** Lines of a crash's err log that an answer brings along, and characters kept of each. */
export const CRASH_TAIL_LINES = 5;
const CRASH_TAIL_LINE_CHARS = 300;
/** Lines of the err log read to find the crash's error message in. */
export const CRASH_READ_LINES = 50;

/** A stack frame of Node (`    at f (file:1:2)`). */
const FRAME = /^\s+at\s/;
/** An error's message: `Error: …`, `TypeError: …`, `Error [ERR_X]: …`, Python's `ValueError: …`. */
const ERROR_LINE = /^\s*(?:Uncaught\s+)?[\w$.]*(?:Error|Exception)\b(?:\s*\[[\w-]+\])?:/;
/** Node's last line after an uncaught error (`Node.js v20.20.2`). */
const NODE_FOOTER = /^Node\.js v\d/;

/**
 * The lines of a crash's err log (oldest first) worth an agent's reading: the last `CRASH_TAIL_LINES`,
 * unless the last error message is above them, as Node puts it (its message, then the stack, the
 * error's fields and its version: the last 5 lines of an EADDRINUSE were `address: '127.0.0.1',`,
 * `port: 3000`, `}`, a blank line and `Node.js v20`); then the message, its first stack frame and the
 * lines after it that are not frames, blank or the version.
 */
export function crashTail(lines: readonly string[]): string[] {
  const cut = (kept: readonly string[]) => kept.map((line) => line.slice(0, CRASH_TAIL_LINE_CHARS));
  const last = lines.slice(-CRASH_TAIL_LINES);
  let at = lines.length - 1;
  while (at >= 0 && !ERROR_LINE.test(lines[at]!)) at -= 1;
  if (at < 0 || at >= lines.length - CRASH_TAIL_LINES) return cut(last);
  const kept = [lines[at]!];
  let hasFrame = false;
  for (const line of lines.slice(at + 1)) {
    if (kept.length >= CRASH_TAIL_LINES) break;
    if (FRAME.test(line)) {
      if (!hasFrame) kept.push(line);
      hasFrame = true;
      continue;
    }
    if (line.trim() !== '' && !NODE_FOOTER.test(line)) kept.push(line);
  }
  return cut(kept);
}
