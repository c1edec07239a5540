// Verifies a captured log of `line <n>` lines (fixtures/chatty.js): every number once, in order, none torn.
import { readFileSync } from 'node:fs';

const NEWLINE = 0x0a;
const PREFIX = Buffer.from('line ');

/**
 * Checks a buffer holding `line 1` … `line <count>`, one per line. Returns the number of lines,
 * `lost` (numbers never seen), `duplicated` (extra occurrences), `torn` (lines that are not exactly
 * `line <n>` with 1 ≤ n ≤ count, including an unterminated last line) and `outOfOrder` (lines whose
 * number is below the previous good line's); `firstLost` is the lowest number never seen, or null.
 */
export function checkNumberedLines(buffer, count, width) {
  const seen = new Uint8Array(count + 1);
  let lines = 0;
  let duplicated = 0;
  let torn = 0;
  let outOfOrder = 0;
  let previous = 0;
  let start = 0;
  while (start < buffer.length) {
    let end = buffer.indexOf(NEWLINE, start);
    const terminated = end !== -1;
    if (!terminated) end = buffer.length;
    lines += 1;
    const n = terminated ? parseLine(buffer, start, end, width) : -1;
    if (n < 1 || n > count) {
      torn += 1;
    } else {
      if (seen[n] > 0) duplicated += 1;
      else seen[n] = 1;
      if (n < previous) outOfOrder += 1;
      previous = n;
    }
    start = end + 1;
  }
  let lost = 0;
  let firstLost = null;
  for (let n = 1; n <= count; n += 1) {
    if (seen[n] !== 0) continue;
    lost += 1;
    firstLost ??= n;
  }
  return { lines, lost, firstLost, duplicated, torn, outOfOrder };
}

/** Reads a file and checks it with checkNumberedLines. */
export function checkNumberedFile(path, count) {
  return checkNumberedLines(readFileSync(path), count);
}

/** The exact byte size of `line 1\n` … `line <count>\n`, to know when a log is complete. */
export function numberedLinesBytes(count) {
  let bytes = 0;
  for (let digits = 1, low = 1; low <= count; digits += 1, low *= 10) {
    const high = Math.min(count, low * 10 - 1);
    bytes += (high - low + 1) * (PREFIX.length + digits + 1);
  }
  return bytes;
}

/**
 * Checks a buffer of `line <n> xxx…` lines of exactly `width` bytes each (newline included,
 * fixtures/line-per-write.js), with the same counts as checkNumberedLines.
 */
export function checkPaddedLines(buffer, count, width) {
  return checkNumberedLines(buffer, count, width);
}

/** The exact byte size of `count` padded lines of `width` bytes. */
export function paddedLinesBytes(count, width) {
  return count * width;
}

/**
 * The number in `line <n>` between start and end, or -1 when the bytes are anything else; with `width`,
 * the line is `line <n> ` then `x` up to `width - 1` bytes.
 */
function parseLine(buffer, start, end, width) {
  if (width !== undefined) {
    if (end - start !== width - 1) return -1;
    const space = buffer.indexOf(0x20, start + PREFIX.length);
    if (space === -1 || space >= end) return -1;
    for (let i = space + 1; i < end; i += 1) if (buffer[i] !== 0x78) return -1;
    return parseLine(buffer, start, space);
  }
  if (end - start <= PREFIX.length || end - start > PREFIX.length + 15) return -1;
  for (let i = 0; i < PREFIX.length; i += 1) if (buffer[start + i] !== PREFIX[i]) return -1;
  const first = start + PREFIX.length;
  if (buffer[first] === 0x30) return -1;
  let n = 0;
  for (let i = first; i < end; i += 1) {
    const digit = buffer[i] - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}
