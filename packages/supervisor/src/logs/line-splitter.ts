import { countNewlines } from './newline-count.js';

const NEWLINE = 10;
const NEWLINE_BUFFER = Buffer.from('\n');

/**
 * Receives whole lines: `data` holds `lines` lines, each one ending with a newline. `data` may be a view
 * of the chunk passed to `push` (of a reused read buffer): valid only during the call.
 */
export type LinesHandler = (data: Buffer, lines: number) => void;

/**
 * Cuts a byte stream into whole lines without decoding it: complete lines are passed on as slices of
 * the incoming chunks and a partial line is carried to the next chunk. A line longer than
 * `maxLineBytes` (newline excluded) is cut into pieces of at most that size, on a UTF-8 character
 * boundary, and a newline is inserted after each piece, so every piece is a line of its own and no
 * byte is lost. `end` writes a partial final line as a line. A partial line is copied, so the chunks
 * passed to `push` may be reused once it returns.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #onLines: LinesHandler;
  #carry: Buffer[] = [];
  #carryBytes = 0;
  #partialsStarted = 0;

  constructor(maxLineBytes: number, onLines: LinesHandler) {
    this.#maxLineBytes = Math.max(4, Math.floor(maxLineBytes));
    this.#onLines = onLines;
  }

  /** Bytes of the partial line waiting for its newline. */
  get pendingBytes(): number {
    return this.#carryBytes;
  }

  /** How many partial lines began to wait so far: a change tells that the one waiting now is another. */
  get partialsStarted(): number {
    return this.#partialsStarted;
  }

  /**
   * Splits the next chunk. `headroom`: bytes just before `chunk` in its ArrayBuffer that may be
   * overwritten; a partial line that fits there is put in front of the chunk, so that it goes out with
   * the chunk's lines as one batch (a reader that found its pipe full cuts a line at every read).
   */
  push(chunk: Buffer, headroom = 0): void {
    let start = 0;
    if (this.#carryBytes > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.#hold(chunk);
        return;
      }
      if (this.#carryBytes <= headroom) {
        this.#pushAfterCarry(chunk);
        return;
      }
      this.#carry.push(chunk.subarray(0, newline + 1));
      const line = Buffer.concat(this.#carry, this.#carryBytes + newline + 1);
      this.#carry = [];
      this.#carryBytes = 0;
      this.#emitLine(line);
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.#emitRegion(chunk, start, last + 1);
      start = last + 1;
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
  }

  /** Puts the partial line in the headroom before `chunk` (see `push`) and splits the two as one chunk. */
  #pushAfterCarry(chunk: Buffer): void {
    const carried = this.#carryBytes;
    const joined = Buffer.from(chunk.buffer, chunk.byteOffset - carried, carried + chunk.length);
    let at = 0;
    for (const piece of this.#carry) {
      joined.set(piece, at);
      at += piece.length;
    }
    this.#carry = [];
    this.#carryBytes = 0;
    this.push(joined);
  }

  /** Emits the partial final line, if any, with a newline added. */
  end(): void {
    if (this.#carryBytes === 0) return;
    this.#carry.push(NEWLINE_BUFFER);
    const line = Buffer.concat(this.#carry, this.#carryBytes + 1);
    this.#carry = [];
    this.#carryBytes = 0;
    this.#onLines(line, 1);
  }

  /**
   * Writes the partial line as a line (a quiet pipe's, see `PipeCapture`) up to its last whole UTF-8
   * character: the bytes of a character whose rest has not come yet stay as the start of the next
   * partial line (cut there, both halves would decode to U+FFFD). When nothing before them is whole
   * (bytes that never complete, or not UTF-8) everything is written, as `end` does.
   */
  cutPartial(): void {
    if (this.#carryBytes === 0) return;
    const carry = this.#carry.length === 1 ? this.#carry[0]! : Buffer.concat(this.#carry, this.#carryBytes);
    const cut = completeCharactersEnd(carry);
    if (cut === 0 || cut === carry.length) {
      this.#carry = [carry];
      this.end();
      return;
    }
    this.#onLines(Buffer.concat([carry.subarray(0, cut), NEWLINE_BUFFER]), 1);
    this.#carry = [carry.subarray(cut)];
    this.#carryBytes = carry.length - cut;
    // the bytes kept begin the next partial line
    this.#partialsStarted += 1;
  }

  #hold(piece: Buffer): void {
    if (this.#carryBytes === 0) this.#partialsStarted += 1;
    // a copy: the chunk may be a view of a buffer the next read overwrites
    this.#carry.push(Buffer.from(piece));
    this.#carryBytes += piece.length;
    if (this.#carryBytes <= this.#maxLineBytes) return;
    let rest = Buffer.concat(this.#carry, this.#carryBytes);
    while (rest.length > this.#maxLineBytes) {
      const cut = characterBoundary(rest, this.#maxLineBytes);
      this.#onLines(Buffer.concat([rest.subarray(0, cut), NEWLINE_BUFFER]), 1);
      rest = rest.subarray(cut);
    }
    this.#carry = rest.length > 0 ? [rest] : [];
    this.#carryBytes = rest.length;
  }

  /** `chunk[start, end)` holds whole lines; counts them and checks that none is too long. */
  #emitRegion(chunk: Buffer, start: number, end: number): void {
    const max = this.#maxLineBytes;
    if (end - start <= max + 1) {
      // no line of the region can be longer than the maximum: count only
      this.#onLines(chunk.subarray(start, end), countNewlines(chunk, start, end));
      return;
    }
    let lines = 0;
    let lineStart = start;
    let hasLongLine = false;
    for (let i = chunk.indexOf(NEWLINE, start); i !== -1 && i < end; i = chunk.indexOf(NEWLINE, i + 1)) {
      if (i - lineStart > max) hasLongLine = true;
      lines += 1;
      lineStart = i + 1;
    }
    if (!hasLongLine) {
      this.#onLines(chunk.subarray(start, end), lines);
      return;
    }
    lineStart = start;
    for (let i = chunk.indexOf(NEWLINE, start); i !== -1 && i < end; i = chunk.indexOf(NEWLINE, i + 1)) {
      this.#emitLine(chunk.subarray(lineStart, i + 1));
      lineStart = i + 1;
    }
  }

  /** Emits one newline-terminated line, cutting it into pieces when it is too long. */
  #emitLine(line: Buffer): void {
    let rest = line;
    while (rest.length - 1 > this.#maxLineBytes) {
      const cut = characterBoundary(rest, this.#maxLineBytes);
      this.#onLines(Buffer.concat([rest.subarray(0, cut), NEWLINE_BUFFER]), 1);
      rest = rest.subarray(cut);
    }
    this.#onLines(rest, 1);
  }
}

/** The largest cut <= `max` that does not split a UTF-8 sequence (falls back to `max` on invalid data). */
function characterBoundary(data: Buffer, max: number): number {
  for (let cut = max; cut > max - 4 && cut > 0; cut -= 1) {
    if (((data[cut] ?? 0) & 0xc0) !== 0x80) return cut;
  }
  return max;
}

/**
 * Where the whole characters of `data` end: before a UTF-8 lead byte in its last 3 bytes whose
 * sequence is longer than the bytes after it; else its length (invalid data is left as it is).
 */
export function completeCharactersEnd(data: Buffer): number {
  const length = data.length;
  for (let at = length - 1; at >= 0 && at >= length - 3; at -= 1) {
    const byte = data[at]!;
    if ((byte & 0xc0) === 0x80) continue;
    const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length - at < size ? at : length;
  }
  return length;
}
