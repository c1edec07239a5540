import { labelOf } from './classifier.js';
import { isContinuationLine, isJulHeader } from './continuation.js';
import type { Level } from './levels.js';
import { stackFrameOf } from './stack-frame.js';

/** The stream of a line; undefined when it is not known (a file, a merged log). */
type Stream = 'out' | 'err' | undefined;

/**
 * Follows the events of each stream line by line and tells which lines continue the current event:
 * every `isContinuationLine`, and an unindented exception line that a logger prints under a logged
 * error — log4j/logback's `java.lang.IllegalStateException: boom` or Node's `Error: boom` right after an
 * `ERROR …` line (nothing but blank lines between), and the final `ValueError: bad card` of a Python traceback that
 * came right after an error line (`logging.exception`) or chains one that did. The same exception
 * line standing alone (an uncaught `Error: x`, a traceback after an info line) starts an event, and so
 * does an exception line after another one's stack frames: two logged exceptions are two events.
 * A trace whose every line repeats a prefix (a time, `web-1  | `, `host app[7]: `, `[ERROR] `) is one
 * event too: behind the prefix it shares with the event's first line, a line continues the event when
 * it is a stack frame (`stackFrameOf`), a trace header (`Caused by: `, `Traceback …`, `... 3 more`,
 * `goroutine 1 [running]:`), blank, or indented right after such lines (Python's source lines), and the
 * exception line of a traceback too.
 * Lines must come in order per stream (lines of other streams may come between).
 */
export class EventTracker {
  readonly #classify: (text: string, stream: Stream) => Level;
  readonly #out = newState();
  readonly #err = newState();
  readonly #unknown = newState();

  /** `classify` gives the level of a line that starts an event when `level(stream)` asks for it. */
  constructor(classify: (text: string, stream: Stream) => Level) {
    this.#classify = classify;
  }

  /**
   * Judges `text`, the next line of `stream` (a JSON line's message): true when it continues the
   * stream's current event; false when it starts one, whose level is `level` when given, else
   * classified on demand. `message` is the line without a header the reader took off (a leading time,
   * a syslog `<PRI>`; white space after the header that indents the rest kept): a line whose header
   * differs from its event's first line's (times do) is judged behind it.
   */
  judge(text: string, stream: Stream, level?: Level, message = text): boolean {
    const state = this.#state(stream);
    // Node's banner of an uncaught exception: under `/app/server.js:12`, the source line it echoes (as
    // it is: often unindented, and `throw new Error(…)` would read as an error of its own) and the caret
    if (state.phase === 'node-location' || (state.phase === 'node-source' && CARET.test(message))) {
      state.phase = state.phase === 'node-location' ? 'node-source' : 'body';
      state.rest = text;
      state.isInTrace = true;
      return true;
    }
    // Rust's panic (1.73 on): `thread 'main' panicked at src/main.rs:5:5:`, then its message on a line of
    // its own, whatever words it has (`called \`Option::unwrap()\` on a \`None\` value`)
    if (state.phase === 'rust-panic') {
      state.phase = 'body';
      state.rest = text;
      state.isInTrace = true;
      return true;
    }
    // a java.util.logging header opens the record of the next line (`SEVERE: boom`), which starts the
    // event whatever came before: no event's line itself, it is judged as the first line of its stream
    if (isJulHeader(text)) {
      this.forget(stream);
      state.rest = text;
      return true;
    }
    if (isContinuationLine(text)) {
      state.phase = phaseAfter(state.phase, text);
      state.rest = text;
      state.isInTrace = true;
      return true;
    }
    if (this.#isGoStackFunction(state, text, stream)) {
      state.phase = 'body';
      state.rest = text;
      state.isInTrace = true;
      return true;
    }
    if (this.#isLoggedException(state, text, stream)) {
      state.phase = 'exception';
      state.rest = text;
      state.isInTrace = true;
      return true;
    }
    // a trace behind a prefix goes on one, or opens under an error line, and a stack frame behind a
    // header continues any event as it would without the header (cheap first: most lines follow an info
    // line, whose level is known, and have no header or need no prefix worked out)
    const known = state.level;
    const hasHeader = message !== text;
    const at =
      state.isInTrace || known === undefined || isErrorLevel(known) || hasHeader
        ? prefixEnd(message, state.lead, hasHeader)
        : -1;
    if (at !== -1 && this.#continuesBehindPrefix(state, message, at, stream, hasHeader)) {
      state.rest = at === 0 ? message : message.slice(at);
      state.isInTrace = true;
      return true;
    }
    this.start(text, stream, level, message);
    return false;
  }

  /**
   * Starts an event of `stream` with `text` (a line that is never a continuation, such as an empty JSON
   * message); `message` as in `judge`. With `isInTrace`, the lines indented under it continue it at once,
   * also behind a header its lines repeat (a .NET console message: its exception, under it, has no frame yet).
   */
  start(text: string, stream: Stream, level?: Level, message = text, isInTrace = false): void {
    const state = this.#state(stream);
    const phase = state.phase;
    state.phase =
      (phase === 'traceback' || phase === 'own-traceback') && exceptionName(text) !== undefined
        ? 'exception'
        : // `[ERROR] Traceback (most recent call last):` behind a prefix: its exception line continues it
          text.charCodeAt(text.length - 1) === 58 && text.endsWith(TRACEBACK_LEAD)
          ? 'traceback'
          : NODE_LOCATION.test(message)
            ? 'node-location'
            : isRustPanic(message)
              ? 'rust-panic'
              : 'lead';
    state.text = text;
    state.lead = message;
    state.hasHeader = message !== text;
    state.level = level;
    state.isInTrace = isInTrace;
  }

  /** The last line `judge` found to continue an event of `stream`, behind the prefix it shares with the event's first line. */
  continued(stream: Stream): string {
    return this.#state(stream).rest;
  }

  /** The level of the current event of `stream` (`info` before the first one). */
  level(stream: Stream): Level {
    const state = this.#state(stream);
    state.level ??= state.text === undefined ? 'info' : this.#classify(state.text, stream);
    return state.level;
  }

  /** Forgets the events of `stream`: its next line is judged as if it were the first. */
  forget(stream: Stream): void {
    const state = this.#state(stream);
    state.phase = 'body';
    state.text = undefined;
    state.lead = undefined;
    state.hasHeader = false;
    state.level = undefined;
    state.isInTrace = false;
  }

  /**
   * True when `rest`, a line behind the prefix it shares with its event's first line (or behind a header
   * only), continues that event; moves the phase as the line would without its prefix.
   */
  #continuesBehindPrefix(
    state: StreamState,
    message: string,
    at: number,
    stream: Stream,
    hasHeader: boolean,
  ): boolean {
    const c = message.charCodeAt(at);
    // nothing behind the prefix: a blank line of the event under way (a `--time` app's blank line in a
    // trace), but a line that is only a time (`date` run as a job) starts its own after no event or
    // after another such line
    if (Number.isNaN(c)) return state.lead !== undefined && state.lead.trim() !== '';
    const isIndented = c === 32 || c === 9;
    let first = at;
    while (first < message.length && isBlank(message.charCodeAt(first))) first++;
    const f = message.charCodeAt(first);
    if (
      // blank, or a stack frame (cheap first: it starts with `a` or `F`, or ends with Ruby's quote)
      Number.isNaN(f) ||
      ((f === 97 || f === 70 || message.charCodeAt(message.length - 1) === 39) &&
        stackFrameOf(message.slice(first)) !== undefined) ||
      // deeper than the padding of a column (`  INFO`): two blanks or a tab, inside a trace — not a line
      // with a header of its own under an event that had none (after a Go panic or a Node crash, zap's
      // console lines `2026-…Z\tINFO\t…` are records: their tab separates columns)
      (isIndented && state.isInTrace && (c === 9 || first - at >= 2) && (state.hasHeader || !hasHeader)) ||
      (!isIndented && isTraceHeader(c) && isContinuationLine(message.slice(at)))
    ) {
      if (!isIndented) state.phase = phaseAfter(state.phase, message.slice(at));
      else if (state.phase !== 'traceback' && state.phase !== 'own-traceback') state.phase = 'body';
      return true;
    }
    if (isIndented || !((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36)) return false;
    // an exception line: closing a traceback, or under a logged error when the prefix names no level
    // (behind `ERROR `, `ERROR TypeError: x` is an event of its own)
    const phase = state.phase;
    if (phase !== 'traceback' && phase !== 'lead') return false;
    if (!isErrorLevel(this.level(stream))) return false;
    const rest = at === 0 ? message : message.slice(at);
    if (
      phase === 'traceback'
        ? exceptionName(rest) !== undefined
        : isExceptionLine(rest) &&
          !isExceptionLine(state.lead ?? '') &&
          labelOf(message.slice(0, at)) === undefined
    ) {
      state.phase = 'exception';
      return true;
    }
    return false;
  }

  /**
   * True when `text` is a function line of a Go stack trace without arguments (zap's `stacktrace`,
   * `debug.Stack` through `runtime.Callers`: `main.(*Server).handle` then `\t/app/server.go:88`): right
   * under an error line, or after such a trace's file line. Alone, `main.handler` could be any word.
   */
  #isGoStackFunction(state: StreamState, text: string, stream: Stream): boolean {
    // cheap first: a letter, no space, a dot
    const c = text.charCodeAt(0);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) || text.includes(' ') || !text.includes('.'))
      return false;
    if (!GO_FUNCTION.test(text)) return false;
    return state.isInTrace
      ? GO_FILE_LINE.test(state.rest)
      : state.phase === 'lead' && isErrorLevel(this.level(stream));
  }

  /** True when `text` (no continuation line) is the exception of the error event it follows. */
  #isLoggedException(state: StreamState, text: string, stream: Stream): boolean {
    const phase = state.phase;
    if (phase === 'lead') {
      // cheap first: most lines do not start with a letter of a class name, or follow no error
      const c = text.charCodeAt(0);
      if (!(c >= 65 && c <= 90) && !(c >= 97 && c <= 122) && c !== 95 && c !== 36 && c !== 42) return false;
      return isErrorLevel(this.level(stream)) && isExceptionLine(text) && !isExceptionLine(state.text ?? '');
    }
    return phase === 'traceback' && exceptionName(text) !== undefined && isErrorLevel(this.level(stream));
  }

  #state(stream: Stream): StreamState {
    return stream === 'err' ? this.#err : stream === 'out' ? this.#out : this.#unknown;
  }
}

/**
 * True for a line that names an exception class first: `java.lang.IllegalStateException: boom`,
 * `ValueError: bad card`, `Error: boom`, `Error [ERR_X]: boom`, Elixir's `** (RuntimeError) boom`,
 * `java.lang.NullPointerException` — a
 * dotted name ending in `Error`, `Exception` or `Throwable`, then `:` or the end of the line.
 */
export function isExceptionLine(line: string): boolean {
  const name = exceptionName(line);
  return name !== undefined && NAMED.test(name);
}

/**
 * True when `EventTracker.judge` makes `text` start an event whatever lines came before it: it is
 * neither a continuation line nor shaped like an exception line (`KeyError: 'x'`, `KeyboardInterrupt`).
 */
export function isContextFree(text: string): boolean {
  return !isContinuationLine(text) && exceptionName(text) === undefined;
}

/**
 * Where the current event of a stream stands, for the unindented lines that may continue it:
 * `lead` right after its first line (and the blank lines under it), `exception` after an exception line (blank lines may follow),
 * `chain` after Python's line chaining two tracebacks, `traceback` inside a traceback that continues
 * the event (its exception line will too), `own-traceback` inside one whose exception line starts an
 * event, `node-location` after the `/app/server.js:12` of Node's uncaught exception banner (its next
 * line echoes the source), `node-source` after that echo (a caret line follows), `rust-panic` after Rust's
 * `thread 'main' panicked at src/main.rs:5:5:` (its message follows), `body` otherwise.
 */
type Phase =
  | 'lead'
  | 'rust-panic'
  | 'exception'
  | 'chain'
  | 'traceback'
  | 'own-traceback'
  | 'node-location'
  | 'node-source'
  | 'body';

interface StreamState {
  phase: Phase;
  /** The line that started the current event. */
  text: string | undefined;
  /** Its message: the line without a header the reader took off. */
  lead: string | undefined;
  /** Its level, once known. */
  level: Level | undefined;
  /** True when the event's first line had a header the reader took off (a time, a syslog `<PRI>`). */
  hasHeader: boolean;
  /** True after a line that continued the current event (its trace has begun). */
  isInTrace: boolean;
  /** The last line that continued an event, behind its prefix. */
  rest: string;
}

const TRACEBACK = 'Traceback (most recent call last)';
const TRACEBACK_LEAD = ` ${TRACEBACK}:`;
/** Characters of a prefix compared at most (Rails tags a line with its request id: `[<uuid>] `, 39). */
const MAX_PREFIX = 64;
const CHAINED_CAUSE = 'The above exception was the direct cause of the following exception';
const CHAINED_DURING = 'During handling of the above exception, another exception occurred';
/** A dotted class name, an optional Node error code (`Error [ERR_X]`), then `:` and a message, or nothing. */
const EXCEPTION = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?: \[[\w.-]+\])?(?::(?:\s|$)|\s*$)/;
const NAMED = /(?:Error|Exception|Throwable)$/;
/** The first line of Node's uncaught exception banner: the script's absolute path (or URL) and line. */
const NODE_LOCATION = /^(?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])\S*\.(?:[cm]?[jt]s|[jt]sx):\d+$/;
/** A Go function without its arguments: `main.handler`, `net/http.HandlerFunc.ServeHTTP`, `main.(*Server).handle`. */
const GO_FUNCTION = /^[\w.-]+(?:\/[\w.-]+)*\.(?:\(\*?[\w.[\]]+\)\.)?[\w.[\]-]+$/;
/** The file line under a Go function in a trace: `\t/app/server.go:88`, `+0x1d` after it in a panic's. */
const GO_FILE_LINE = /^\s+\S+\.go:\d+(?: \+0x[\da-f]+)?\s*$/;
/** Rust's panic line whose message comes on the next line (Rust 1.73 on): `thread 'main' panicked at src/main.rs:5:5:`. */
const RUST_PANIC = /^thread '[^']*' panicked at \S+:\d+:\d+:\s*$/;

/** True for Rust's panic line of a message on the next line (cheap first: `thread '` and a colon last). */
function isRustPanic(line: string): boolean {
  return line.charCodeAt(0) === 116 && line.startsWith("thread '") && RUST_PANIC.test(line);
}

/** The caret line under the echoed source line. */
const CARET = /^\s*\^+\s*$/;

/** Elixir's exception line under a logged error or crash report: `** (RuntimeError) boom`. */
const ELIXIR_EXCEPTION = /^\*\* \(([A-Z][\w]*(?:\.[A-Z][\w]*)*)\)(?: |$)/;

/**
 * The class name of a line shaped like a traceback's last line (`KeyError: 'x'`, `KeyboardInterrupt`) or
 * Elixir's `** (ArgumentError) …`.
 */
function exceptionName(line: string): string | undefined {
  if (line.charCodeAt(0) === 42) return ELIXIR_EXCEPTION.exec(line)?.[1];
  return EXCEPTION.exec(line)?.[1];
}

/** The phase after a continuation line. */
function phaseAfter(phase: Phase, line: string): Phase {
  const c = line.charCodeAt(0);
  if (c === 84 && line.startsWith(TRACEBACK)) {
    return phase === 'lead' || phase === 'chain' ? 'traceback' : 'own-traceback';
  }
  if ((c === 68 && line.startsWith(CHAINED_DURING)) || (c === 84 && line.startsWith(CHAINED_CAUSE))) {
    return phase === 'exception' || phase === 'chain' ? 'chain' : 'body';
  }
  // frames, source lines and carets stay inside a traceback; blank lines surround the chaining line,
  // and may part a logged error from its exception (Spring's `… with root cause`, a blank line, then
  // `java.lang.NullPointerException: …`)
  if (phase === 'traceback' || phase === 'own-traceback') return phase;
  if ((phase === 'exception' || phase === 'chain' || phase === 'lead') && line.trim() === '') return phase;
  return 'body';
}

function isErrorLevel(level: Level): boolean {
  return level === 'error' || level === 'fatal';
}

function newState(): StreamState {
  return {
    phase: 'body',
    text: undefined,
    lead: undefined,
    hasHeader: false,
    level: undefined,
    isInTrace: false,
    rest: '',
  };
}

/**
 * Where `message` goes on behind the prefix it shares with `lead` (the event's first line), cut after
 * white space or a separator (`|`, `:`, `]`, `>`): 0 when they share none but a header was taken off
 * (`hasHeader`); -1 when they share nothing (the line was judged whole already), or are the same line
 * (`Config loaded [ok]` twice continues nothing).
 */
function prefixEnd(message: string, lead: string | undefined, hasHeader: boolean): number {
  let p = 0;
  if (lead !== undefined && message.charCodeAt(0) === lead.charCodeAt(0)) {
    // a prefix is short (`api-1  | `, `web-3 node[4121]: `): two lines that share more are alike lines
    const n = Math.min(message.length, lead.length, MAX_PREFIX);
    while (p < n && message.charCodeAt(p) === lead.charCodeAt(p)) p++;
    if (p === message.length && p === lead.length) return -1;
    // the prefix ends at a separator, before the white space that indents the rest
    while (p > 0 && !isSeparator(message.charCodeAt(p - 1))) p--;
    while (p > 0 && isBlank(message.charCodeAt(p - 1)) && isBlank(message.charCodeAt(p - 2))) p--;
  }
  return p > 0 || hasHeader ? p : -1;
}

/** The first letters of the unindented lines of a trace that need no frame before them: `Caused by: `, `Traceback (…`, `... 3 more`, `During …`, `goroutine 1 [running]:`, `[signal …`. */
function isTraceHeader(c: number): boolean {
  return c === 67 || c === 84 || c === 46 || c === 68 || c === 103 || c === 91;
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 124 || c === 58 || c === 93 || c === 62;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
