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
  /** Its order among the batches of the app's other stream (see `ArrivalOrder`), set by the pipeline. */
  order?: number;
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

/**
 * The last `count` lines of newline-terminated `data` as strings, oldest first; with `withBytes`, a
 * line that is not valid UTF-8 also has its bytes (see `bytesUnlessUtf8`).
 */
export function lastLines(
  data: Buffer,
  count: number,
  withBytes = false,
): { text: string; bytes?: Buffer | undefined }[] {
  const lines: { text: string; bytes?: Buffer | undefined }[] = [];
  let end = data.length - 1;
  while (end >= 0 && lines.length < count) {
    const newline = end > 0 ? data.lastIndexOf(NEWLINE, end - 1) : -1;
    const stop = end > newline + 1 && data[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    const text = data.toString('utf8', newline + 1, stop);
    if (withBytes) lines.push({ text, bytes: bytesUnlessUtf8(text, data.subarray(newline + 1, stop)) });
    else lines.push({ text });
    end = newline;
  }
  return lines.reverse();
}

const REPLACEMENT_CHAR = '\uFFFD';

/**
 * A copy of `data` when `text` (its UTF-8 decoding) does not give its bytes back, that is when it
 * holds bytes that are not valid UTF-8 (shown as U+FFFD); else undefined. Cheap for valid text.
 */
export function bytesUnlessUtf8(text: string, data: Buffer): Buffer | undefined {
  if (!text.includes(REPLACEMENT_CHAR)) return undefined;
  if (Buffer.byteLength(text) === data.length && Buffer.from(text).equals(data)) return undefined;
  return Buffer.from(data);
}

/**
 * For `lines` (the `lineStrings` of `data`), the bytes of each line that is not valid UTF-8 (see
 * `bytesUnlessUtf8`), or undefined when every line is: one look for U+FFFD per line in the common case.
 */
export function invalidLineBytes(data: Buffer, lines: string[]): (Buffer | undefined)[] | undefined {
  if (!lines.some((line) => line.includes(REPLACEMENT_CHAR))) return undefined;
  const bytes: (Buffer | undefined)[] = [];
  let start = 0;
  for (const line of lines) {
    const newline = data.indexOf(NEWLINE, start);
    const stop = newline > start && data[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    bytes.push(bytesUnlessUtf8(line, data.subarray(start, stop)));
    start = newline + 1;
  }
  return bytes;
}
