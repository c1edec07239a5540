/** Bytes at the start of an input that `looksBinary` inspects (as `grep` and `git diff` look at a first block). */
export const BINARY_SAMPLE_BYTES = 8192;
/** Share of control characters above which a sample is not text (a log's ANSI colours and tabs are not counted). */
const MAX_CONTROL_SHARE = 0.1;

/**
 * Whether `sample` (the first bytes of an input) looks like binary data rather than text: it holds a
 * NUL byte, or more than 10% of its first 8 KiB are control characters other than the whitespace and
 * ESC a log holds. One pass over at most 8 KiB: read as lines, a gzip file, an executable or UTF-16
 * text gives hundreds of templates of noise, which a user should be told about. A log that starts
 * with a run of NULs (a copy-truncate rotation under a writer that kept its offset) looks binary too.
 */
export function looksBinary(sample: Uint8Array): boolean {
  const n = Math.min(sample.length, BINARY_SAMPLE_BYTES);
  let controls = 0;
  for (let i = 0; i < n; i += 1) {
    const byte = sample[i]!;
    if (byte === 0) return true;
    if (byte === 0x7f || (byte < 0x20 && !TEXT_CONTROLS.has(byte))) controls += 1;
  }
  return n > 0 && controls > n * MAX_CONTROL_SHARE;
}

/** Backspace, tab, newline, vertical tab, form feed, carriage return and ESC (colours): found in text logs. */
const TEXT_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

/** `chunks` as they are, `onBinary` called once before them when the first chunk `looksBinary`. */
export async function* inspectFirstChunk(
  chunks: AsyncIterable<string | Uint8Array>,
  onBinary: () => void,
): AsyncGenerator<string | Uint8Array, void, undefined> {
  let isFirst = true;
  for await (const chunk of chunks) {
    if (isFirst) {
      isFirst = false;
      if (typeof chunk !== 'string' && looksBinary(chunk)) onBinary();
    }
    yield chunk;
  }
}
