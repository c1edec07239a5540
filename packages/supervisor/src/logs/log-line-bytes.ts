import type { LogLine } from '@velos/core';

/** What a line costs in an answer besides its text and name: the other fields and their keys, encoded. */
const LINE_OVERHEAD_BYTES = 64;
/** `"isIdKnown":true,` (see `LogLine.isIdKnown`). */
const ID_KNOWN_BYTES = 17;

/** The bytes one line takes in a `logs` answer (text, name and fields as UTF-8, the bytes of a line that is not, plus the fixed fields). */
export function logLineBytes(line: LogLine): number {
  let bytes = LINE_OVERHEAD_BYTES + Buffer.byteLength(line.line) + Buffer.byteLength(line.name);
  if (line.fields !== undefined) bytes += Buffer.byteLength(JSON.stringify(line.fields));
  if (line.bytes !== undefined) bytes += line.bytes.length;
  if (line.isIdKnown) bytes += ID_KNOWN_BYTES;
  return bytes;
}
