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

/** What one buffer of a batch holds of a write cut short: its whole lines in the file and their bytes. */
export interface WrittenPart {
  lines: number;
  bytes: number;
}

/**
 * Of buffers of whole lines written one after the other, what the first `bytesWritten` bytes hold:
 * per buffer, the lines wholly written and their bytes (a torn line at the end counts as not written).
 */
export function wholeLinesWritten(
  buffers: readonly { data: Buffer; lines: number }[],
  bytesWritten: number,
): WrittenPart[] {
  let offset = 0;
  return buffers.map(({ data, lines }) => {
    const reached = Math.min(data.length, Math.max(0, bytesWritten - offset));
    offset += data.length;
    if (reached === data.length) return { lines, bytes: reached };
    const cut = reached > 0 ? data.lastIndexOf(NEWLINE, reached - 1) + 1 : 0;
    return { lines: cut > 0 ? linesAround(data, lines, cut)[0] : 0, bytes: cut };
  });
}
