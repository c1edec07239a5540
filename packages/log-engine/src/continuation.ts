import { stripAnsi } from './ansi.js';
import { stackFrameOf } from './stack-frame.js';

/**
 * Lines that continue a multi-line event (a stack trace, a wrapped message) rather than start one: a
 * blank line, an indented line but one of a space and a status glyph (` ✓ Ready`) (`    at f (x.js:1:2)`, `\tat com.x.Y.z(Y.java:12)`, `  File "a.py",
 * line 3, in f`, a quoted source line, Go's `\t/src/x.go:12 +0x1d`), and a few unindented headers and
 * footers of stack traces: PostgreSQL's `DETAIL:  `, `HINT:  `, `CONTEXT:  `, `STATEMENT:  `, `QUERY:  `
 * and `LOCATION:  ` lines after its prefix or at the start of the line (they explain the `ERROR:  ` line
 * before them), Java's `Caused by: …` and `... 3 more`, Python's `Traceback (most recent
 * call last):` and the lines that chain two tracebacks, Go's `goroutine 1 [running]:`, its frames
 * (`main.main()`, `created by …`) and `[signal SIGSEGV: …]`, PHP's `Stack trace:` (Laravel's `[stacktrace]`
 * and the `"}` after it), Rust's `stack backtrace:` and `note: run with
 * \`RUST_BACKTRACE=1\` …` under a panic, and a line of closing brackets alone (`}`,
 * `]`, `})`), which ends an object printed over several lines, such as Node's error with its `code` and
 * `errno` properties, Node's `(Use \`node --trace-warnings ...\` …)` under a process warning, and a stack frame that lost its indentation (`at fn (/srv/x.js:1:2)`,
 * `at com.x.Y.z(Y.java:12)`, `File "a.py", line 3, in f`, `` app/x.rb:5:in `show' ``: see `stackFrameOf`). The line that starts the event — `Error: boom`, `Exception in thread "main" …`,
 * Python's final `ValueError: …`, `panic: …` — is not one. A java.util.logging header
 * (`isJulHeader`: `Mar 14, 2026 9:00:10 PM com.x.Y method`) is no event either: its record's level and
 * message are on the next line (`SEVERE: boom`), which starts the event.
 *
 * The judgement reads one line only (the usual multiline rule of log shippers: a line that starts
 * with white space belongs to the line before it), so a sampler that skips lines judges the lines it
 * reads exactly as a full pass does. A JSON line is never a continuation: it is a record of its own.
 * Colour codes are read through (`\x1b[31mERROR…` or `\u009b31mERROR…` starts an event; a coloured indented
 * frame continues).
 */
export function isContinuationLine(line: string): boolean {
  const c = line.charCodeAt(0);
  // a colour code first (ESC or CSI is a control character, not white space): judge the text it colours
  if (c === 27 || c === 0x9b) {
    const text = stripAnsi(line);
    return text.charCodeAt(0) !== 27 && isContinuationLine(text);
  }
  // empty, or a space, tab or other ASCII white space first; but one space and a status glyph start a
  // line of their own (Next.js's ` ✓ Ready in 2.1s`, ` ⨯ Error: …`, ` ⚠ …`: every line indented by one)
  if (Number.isNaN(c) || c <= 32) return !isJsonAfterSpace(line) && !isGlyphLine(line);
  if (c > 127 && SPACE.test(line)) return true;
  if (isJulHeader(line)) return true;
  switch (c) {
    case 67: // C (or PostgreSQL's `CONTEXT:  `, below)
      if (line.startsWith('Caused by: ')) return true;
      break;
    case 46: // .
      return MORE.test(line);
    case 84: // T
      return line.startsWith('Traceback (most recent call last)') || line.startsWith(CHAINED_CAUSE);
    case 68: // D (or PostgreSQL's `DETAIL:  `, below)
      if (line.startsWith(CHAINED_DURING)) return true;
      break;
    case 103: // g
      return GOROUTINE.test(line);
    case 91: // [: Go's `[signal SIGSEGV: …]`, Laravel's `[stacktrace]` over its PHP frames
      return line.startsWith('[signal ') || line.trimEnd() === '[stacktrace]';
    case 40: // (: Node's hint under a process warning, `(Use \`node --trace-warnings ...\` to show where …)`
      return line.startsWith(NODE_TRACE_HINT);
    case 125: // }
    case 93: // ]
      return CLOSERS.test(line);
    case 99: // c
      if (line.startsWith('created by ')) return GO_CREATED.test(line);
      break;
    case 110: // n: Rust's `note: run with \`RUST_BACKTRACE=1\` …` under a panic
      if (line.startsWith('note: ') && line.includes('`RUST_BACKTRACE=')) return true;
      break;
    case 115: // s: Rust's `stack backtrace:` over its indented frames
      if (RUST_BACKTRACE.test(line)) return true;
      break;
    case 83: // S: PHP's `Stack trace:` over its `#0 …` frames
      if (line.startsWith('Stack trace:') && line.trimEnd().length === 12) return true;
      break;
    case 34: // ": the `"}` that ends the JSON context of a Laravel (Monolog) record after its trace
      if (PHP_CONTEXT_END.test(line)) return true;
      break;
    case 97: // a: a frame that lost its indentation (`at fn (/srv/x.js:1:2)`, `at com.x.Y.z(Y.java:12)`)
    case 70: // F: Python's `File "a.py", line 3, in f`
    case 35: // #: PHP's `#0 /var/www/app.php(12): f()`
      if (stackFrameOf(line) !== undefined) return true;
      break;
  }
  // a Ruby frame alone (Rails prints its trace unindented under `ActiveRecord::RecordNotFound (…):`)
  if (line.charCodeAt(line.length - 1) === 39 && stackFrameOf(line) !== undefined) return true;
  // PostgreSQL's `DETAIL:  `, `STATEMENT:  `… lines under a message: a colon and two spaces, then text
  // (cheap first: after a prefix that starts with a time, a pid `[123]` or a tag `<…>`, or alone)
  if ((c <= 57 || c === 91 || c === 60 || PG_INITIALS.has(c)) && line.includes(':  ') && PG_DETAIL.test(line))
    return true;
  // a Go frame, `pkg/path.(*T).method(0xc000010000, {0x4b6b40, 0x5})`: ends with `)`, no space before `(`
  return line.charCodeAt(line.length - 1) === 41 && GO_FRAME.test(line);
}

/**
 * True for the first line of a java.util.logging record in its default format (`SimpleFormatter`): the
 * time and the source alone, `Mar 14, 2026 9:00:10 PM com.x.Y method` (or a logger name alone); the
 * record's level and message follow on the next line, `SEVERE: boom`.
 */
export function isJulHeader(line: string): boolean {
  const c = line.charCodeAt(0);
  // cheap first: a month's initial (A D F J M N O S) and a space after its three letters
  return c >= 65 && c <= 83 && line.charCodeAt(3) === 32 && JUL_HEADER.test(line);
}

const JUL_HEADER =
  /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M [\w$.<>/-]+(?: [\w$.<>-]+)?\s*$/;
const SPACE = /^\s/;
const NODE_TRACE_HINT = '(Use `node --trace-';
/** The last line of an object or array printed over several lines (Node's `console.error(err)` of an error with properties). */
const CLOSERS = /^[\]})]+[,;]?\s*$/;
const MORE = /^\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const CHAINED_CAUSE = 'The above exception was the direct cause of the following exception';
const CHAINED_DURING = 'During handling of the above exception, another exception occurred';
const PHP_CONTEXT_END = /^"\}\s*$/;
const RUST_BACKTRACE = /^stack backtrace:\s*$/;
const GOROUTINE = /^goroutine \d+ \[[^\]]*\]:\s*$/;
const GO_CREATED = /^created by [\w./*()[\]-]+(?: in goroutine \d+)?\s*$/;
const PG_INITIALS = new Set([...'DHCSQL'].map((c) => c.charCodeAt(0)));
const PG_DETAIL = /(?:^|[\s\]])(?:DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION): {2}\S/;
const GO_FRAME = /^[\w./-]*\w\.(?:\(\*?[\w.[\]]+\)\.)?[\w.[\]-]+\([^()]*\)$/;

/**
 * True for one space, a symbol (`✓`, `⨯`, `⚠️`, `○`, `▲`, `🚀`) and a space first: the status line of a
 * CLI or dev server that indents each of its lines by one space.
 */
function isGlyphLine(line: string): boolean {
  return line.charCodeAt(0) === 32 && line.charCodeAt(1) > 127 && GLYPH_LINE.test(line);
}

const GLYPH_LINE = /^ [\p{So}\p{Sm}]\uFE0F? \S/u;

/** A JSON object after leading white space (` {"level":"error",…}`): a record, not a continuation. */
function isJsonAfterSpace(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed.charCodeAt(0) === 123 && trimmed.charCodeAt(trimmed.length - 1) === 125;
}
