/** Which pipe of a child a line came from. */
export type LogStream = 'out' | 'err';

/** Whole lines read from one stream at one moment, kept as raw bytes (each line ends with a newline). */
export interface LineBatch {
  data: Buffer;
  lines: number;
  /** Epoch ms when the daemon read the chunk that completed these lines. */
  ts: number;
  stream: LogStream;
  pid: number | null;
  /** Sequence number of the first line in its log file's writer (see `FileWriter.acceptedLines`). */
  seq?: number;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** The lines of newline-terminated `data` as strings (without newline and trailing `\r`). */
export function lineStrings(data: Buffer): string[] {
  // One decode and one split beat a decode per line by about 3x on short lines.
  const lines = data.toString('utf8').split('\n');
  lines.pop();
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** The last `count` lines of newline-terminated `data` as strings, oldest first. */
export function lastLineStrings(data: Buffer, count: number): string[] {
  const lines: string[] = [];
  let end = data.length - 1;
  while (end >= 0 && lines.length < count) {
    const newline = end > 0 ? data.lastIndexOf(NEWLINE, end - 1) : -1;
    const stop = end > newline + 1 && data[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    lines.push(data.toString('utf8', newline + 1, stop));
    end = newline;
  }
  return lines.reverse();
}
