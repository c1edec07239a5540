import { isContinuationLine } from './continuation.js';
import type { Level } from './levels.js';

/** The stream of a line; undefined when it is not known (a file, a merged log). */
type Stream = 'out' | 'err' | undefined;

/**
 * Follows the events of each stream line by line and tells which lines continue the current event:
 * every `isContinuationLine`, and an unindented exception line that a logger prints under a logged
 * error — log4j/logback's `java.lang.IllegalStateException: boom` or Node's `Error: boom` right after an
 * `ERROR …` line (nothing between), and the final `ValueError: bad card` of a Python traceback that
 * came right after an error line (`logging.exception`) or chains one that did. The same exception
 * line standing alone (an uncaught `Error: x`, a traceback after an info line) starts an event, and so
 * does an exception line after another one's stack frames: two logged exceptions are two events.
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
   * classified on demand.
   */
  judge(text: string, stream: Stream, level?: Level): boolean {
    const state = this.#state(stream);
    if (isContinuationLine(text)) {
      state.phase = phaseAfter(state.phase, text);
      return true;
    }
    if (this.#isLoggedException(state, text, stream)) {
      state.phase = 'exception';
      return true;
    }
    this.start(text, stream, level);
    return false;
  }

  /** Starts an event of `stream` with `text` (a line that is never a continuation, such as an empty JSON message). */
  start(text: string, stream: Stream, level?: Level): void {
    const state = this.#state(stream);
    const phase = state.phase;
    state.phase =
      (phase === 'traceback' || phase === 'own-traceback') && exceptionName(text) !== undefined
        ? 'exception'
        : 'lead';
    state.text = text;
    state.level = level;
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
    state.level = undefined;
  }

  /** True when `text` (no continuation line) is the exception of the error event it follows. */
  #isLoggedException(state: StreamState, text: string, stream: Stream): boolean {
    const phase = state.phase;
    if (phase === 'lead') {
      // cheap first: most lines do not start with a letter of a class name, or follow no error
      const c = text.charCodeAt(0);
      if (!(c >= 65 && c <= 90) && !(c >= 97 && c <= 122) && c !== 95 && c !== 36) return false;
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
 * `ValueError: bad card`, `Error: boom`, `Error [ERR_X]: boom`, `java.lang.NullPointerException` — a
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
 * `lead` right after its first line, `exception` after an exception line (blank lines may follow),
 * `chain` after Python's line chaining two tracebacks, `traceback` inside a traceback that continues
 * the event (its exception line will too), `own-traceback` inside one whose exception line starts an
 * event, `body` otherwise.
 */
type Phase = 'lead' | 'exception' | 'chain' | 'traceback' | 'own-traceback' | 'body';

interface StreamState {
  phase: Phase;
  /** The line that started the current event. */
  text: string | undefined;
  /** Its level, once known. */
  level: Level | undefined;
}

const TRACEBACK = 'Traceback (most recent call last)';
const CHAINED_CAUSE = 'The above exception was the direct cause of the following exception';
const CHAINED_DURING = 'During handling of the above exception, another exception occurred';
/** A dotted class name, an optional Node error code (`Error [ERR_X]`), then `:` and a message, or nothing. */
const EXCEPTION = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?: \[[\w.-]+\])?(?::(?:\s|$)|\s*$)/;
const NAMED = /(?:Error|Exception|Throwable)$/;

/** The class name of a line shaped like a traceback's last line (`KeyError: 'x'`, `KeyboardInterrupt`). */
function exceptionName(line: string): string | undefined {
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
  // frames, source lines and carets stay inside a traceback; blank lines surround the chaining line
  if (phase === 'traceback' || phase === 'own-traceback') return phase;
  if ((phase === 'exception' || phase === 'chain') && line.trim() === '') return phase;
  return 'body';
}

function isErrorLevel(level: Level): boolean {
  return level === 'error' || level === 'fatal';
}

function newState(): StreamState {
  return { phase: 'body', text: undefined, level: undefined };
}
