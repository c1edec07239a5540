import type { LogLine } from '@velos/core';

/** A log line as the REST API answers it: the raw bytes, when asked for and present, in base64. */
export type JsonLogLine = Omit<LogLine, 'bytes'> & { bytesBase64?: string };

/**
 * A `logs` or `logs.search` result for JSON: each line that carries its raw bytes (the app wrote
 * bytes that are not valid UTF-8, and the request had `withBytes`) has them as `bytesBase64`
 * instead, since JSON has no bytes; every other line, and every other key, is left as it is.
 */
export function encodeLineBytes(result: unknown): unknown {
  const lines = (result as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(lines) || !lines.some(hasBytes)) return result;
  return { ...(result as object), lines: lines.map(encodeLine) };
}

function hasBytes(line: unknown): line is LogLine & { bytes: Uint8Array } {
  return (line as { bytes?: unknown } | null)?.bytes instanceof Uint8Array;
}

function encodeLine(line: LogLine): JsonLogLine {
  if (!hasBytes(line)) return line;
  const { bytes, ...rest } = line;
  return {
    ...rest,
    bytesBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}
