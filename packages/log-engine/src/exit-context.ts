import { type ExitFact, isCrashExit } from './exit-facts.js';
import { levelSeverity } from './levels.js';
import type { ParsedRecord } from './log-record.js';

/** Events (lines that start one) before a crash looked at: the crash's own message is among them. */
export const EXIT_CONTEXT_EVENTS = 3;
/** How long before a crash its last stderr lines may come. */
export const EXIT_CONTEXT_BEFORE_MS = 1000;
/** How long after the exit its last lines may still arrive (a pipe is read after the exit is seen). */
export const EXIT_CONTEXT_AFTER_MS = 250;
/** Lines held at most while a crash's window is open (a long stack trace); beyond, they are let go. */
const MAX_HELD_LINES = 10_000;
/**
 * Lines of Node's crash report around the error that are no message of the crash: its `file:line`
 * header (`/srv/app.js:12`, `node:internal/process/promises:288`) and its version footer
 * (`Node.js v20.20.2`), the report's newest line.
 */
const NODE_REPORT_FRAME = /^(?:(?:(?:file:\/\/)?\/|[A-Za-z]:\\|node:)\S*:\d+|Node\.js v\d+\.\d+\.\d+)$/;

/** Options of an `ExitContext`. */
export interface ExitContextOptions {
  /**
   * True for a line the supervisor wrote into the app's stderr about its exit (Velos's `velos: …`
   * notes): never held or raised, and the crash's lines before it are judged at once.
   */
  isNote?: (parsed: ParsedRecord) => boolean;
}

interface Held<T> {
  parsed: ParsedRecord;
  item: T;
}

/**
 * ENG-1's exit context, at analysis time: the last stderr events (up to 3, with their continuation
 * lines) in the second before a crash (a non-zero exit code or a signal, see `ExitFact`) hold the
 * crash's message. When none of them is an error already, the newest (with its continuation lines) is
 * raised to `error`: one crash counts one error event, never more; the lines of Node's report around
 * its error (its version footer, see `NODE_REPORT_FRAME`) are passed over, and never raised. A line
 * read after a crash is of that crash until halfway to the next one: beyond, the next run printed it
 * (a loop of runs shorter than the 250 ms a late line may take). Records are pushed in time order, are held
 * while a crash's window is open and are handed to `release` in the same order, raised or not.
 * Records of stdout are never raised, nor the supervisor's notes (`isNote`); a merged file's (no
 * stream) may be.
 *
 * @example
 * const context = new ExitContext(exits, (parsed) => engine.add(parsed));
 * for (const record of records) context.push(engine.parseRecord(record), undefined);
 * context.flush();
 */
export class ExitContext<T = undefined> {
  private readonly crashes: number[];
  private readonly release: (parsed: ParsedRecord, item: T) => void;
  private readonly isNote: (parsed: ParsedRecord) => boolean;
  private held: Held<T>[] = [];
  private heldWindow = -1;
  private heldEvents = 0;

  constructor(
    exits: readonly ExitFact[],
    release: (parsed: ParsedRecord, item: T) => void,
    options: ExitContextOptions = {},
  ) {
    this.crashes = exits
      .filter(isCrashExit)
      .map((exit) => exit.ts)
      .sort((a, b) => a - b);
    this.release = release;
    this.isNote = options.isNote ?? (() => false);
  }

  /** Takes the next record (`item` travels with it to `release`). */
  push(parsed: ParsedRecord, item: T): void {
    if (this.crashes.length === 0) {
      this.release(parsed, item);
      return;
    }
    // a supervisor's note about the exit (written as it saw it) ends the crash's lines: it is no
    // message of the crash
    if (parsed.stream === 'out' || this.isNote(parsed)) {
      this.flush();
      this.release(parsed, item);
      return;
    }
    if (parsed.isContinuation) {
      if (this.held.length === 0) this.release(parsed, item);
      else this.hold(parsed, item);
      return;
    }
    const window = this.windowOf(parsed.ts);
    if (window !== this.heldWindow) this.flush();
    if (window === -1) {
      this.release(parsed, item);
      return;
    }
    this.heldWindow = window;
    this.heldEvents += 1;
    this.hold(parsed, item);
    // the oldest event held is not among the last three any more: it goes as it is
    if (this.heldEvents > EXIT_CONTEXT_EVENTS) {
      this.releaseHead();
    }
  }

  /** Releases what is held, its events raised: call it at the end of a file. */
  flush(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    this.heldWindow = -1;
    this.heldEvents = 0;
    // one crash, one error event: when none of its last events says error, the newest is its message
    const isSaid = held.some(
      ({ parsed }) => !parsed.isContinuation && levelSeverity(parsed.level) >= levelSeverity('error'),
    );
    // the newest event that may be the message, with its continuation lines (none: Node's report lines alone)
    let newest = isSaid ? -1 : held.length - 1;
    while (newest >= 0 && !isMessage(held[newest]!.parsed)) newest -= 1;
    let end = newest + 1;
    while (newest >= 0 && end < held.length && held[end]!.parsed.isContinuation) end += 1;
    for (let i = 0; i < held.length; i += 1) {
      const { parsed, item } = held[i]!;
      if (i >= newest && i < end && levelSeverity(parsed.level) < levelSeverity('error'))
        parsed.level = 'error';
      this.release(parsed, item);
    }
  }

  private hold(parsed: ParsedRecord, item: T): void {
    this.held.push({ parsed, item });
    if (this.held.length > MAX_HELD_LINES) this.flush();
  }

  /** Lets the oldest event held go unraised, with its continuation lines. */
  private releaseHead(): void {
    let end = 1;
    while (end < this.held.length && this.held[end]!.parsed.isContinuation) end += 1;
    const head = this.held.splice(0, end);
    this.heldEvents -= 1;
    for (const { parsed, item } of head) this.release(parsed, item);
  }

  /** The index of the crash whose window holds `ts`, or -1. */
  private windowOf(ts: number | undefined): number {
    if (ts === undefined) return -1;
    const crashes = this.crashes;
    // the first crash at or after ts - AFTER (binary search)
    let lo = 0;
    let hi = crashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (crashes[mid]! < ts - EXIT_CONTEXT_AFTER_MS) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= crashes.length || crashes[lo]! - EXIT_CONTEXT_BEFORE_MS > ts) return -1;
    // read after that crash: past halfway to the next one (not one of the same time), the next run wrote it
    const at = crashes[lo]!;
    if (at >= ts) return lo;
    let next = lo + 1;
    while (next < crashes.length && crashes[next] === at) next += 1;
    return next < crashes.length && ts - at > (crashes[next]! - at) / 2 ? next : lo;
  }
}

/** An event that may be a crash's message: not a continuation line, nor a line of Node's report frame. */
function isMessage(parsed: ParsedRecord): boolean {
  return !parsed.isContinuation && !NODE_REPORT_FRAME.test(parsed.message.trim());
}
