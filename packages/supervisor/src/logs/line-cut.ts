const NEWLINE = 0x0a;

/**
 * Where to cut `data` (whole lines) so that its head fits in `room` bytes: after the last line that
 * ends within `room`. When none does it returns 0 (rotate first), unless the file is empty (`isFresh`):
 * a line longer than the limit then goes whole into a file of its own, so a line is never split.
 */
export function lineCut(data: Buffer, room: number, isFresh: boolean): number {
  const lastEnd = room > 0 ? data.lastIndexOf(NEWLINE, Math.min(room, data.length) - 1) : -1;
  if (lastEnd >= 0) return lastEnd + 1;
  if (!isFresh) return 0;
  const firstEnd = data.indexOf(NEWLINE);
  return firstEnd === -1 ? data.length : firstEnd + 1;
}

/**
 * The lines of `data` (`lines` whole lines) before and after byte `cut` (a line boundary); only the
 * shorter side is counted, so a cut costs at most half a buffer's newlines, once per rotation.
 */
export function linesAround(data: Buffer, lines: number, cut: number): [head: number, rest: number] {
  if (cut <= data.length - cut) {
    const head = Math.min(lines, countNewlines(data, 0, cut));
    return [head, lines - head];
  }
  const rest = Math.min(lines, countNewlines(data, cut, data.length));
  return [lines - rest, rest];
}

function countNewlines(data: Buffer, start: number, end: number): number {
  let count = 0;
  for (let at = data.indexOf(NEWLINE, start); at !== -1 && at < end; at = data.indexOf(NEWLINE, at + 1)) {
    count += 1;
  }
  return count;
}
