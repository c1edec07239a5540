/**
 * The frame a line of a stack trace names, trimmed, when `text` (leading white space allowed) is one:
 * Node's `at fn (/srv/x.js:1:2)`, `at /srv/x.js:1:2`, `at new Promise (<anonymous>)`, Java's
 * `at com.x.Y.z(Y.java:12)` (`(Native Method)`, a trailing `~[app.jar:?]`), .NET's `at A.B.C(Int32 id) in
 * /src/A.cs:line 42`, Python's `File "a.py",
 * line 3, in f`, PHP's `#0 /var/www/app.php(12): f()` (`#1 {main}`) and Ruby's `` app/models/user.rb:12:in `save' `` (`from …` too); undefined for any other line. The shapes are strict (a location in brackets, a line
 * number), so a message that merely starts with "at" is not one.
 */
export function stackFrameOf(text: string): string | undefined {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  const c = text.charCodeAt(i);
  if (c === 97 && text.charCodeAt(i + 1) === 116 && text.charCodeAt(i + 2) === 32) {
    // a: `at …`
    const frame = trimEnd(text.slice(i));
    return NODE_FRAME.test(frame) || JVM_FRAME.test(frame) || DOTNET_FRAME.test(frame) ? frame : undefined;
  }
  if (c === 70 && text.startsWith('File "', i)) {
    const frame = trimEnd(text.slice(i));
    return PYTHON_FRAME.test(frame) ? frame : undefined;
  }
  if (c === 35) {
    // #: PHP's `#0 /var/www/app.php(12): f()`
    const frame = trimEnd(text.slice(i));
    return PHP_FRAME.test(frame) ? frame : undefined;
  }
  // Ruby: it ends with a quote (cheap first)
  if (text.charCodeAt(text.length - 1) === 39 || text.charCodeAt(text.length - 2) === 39) {
    const frame = trimEnd(text.slice(i));
    return RUBY_FRAME.test(frame) ? frame : undefined;
  }
  return undefined;
}

/** True for a Python frame (`File "a.py", line 3, in f`): a traceback lists its innermost frame last. */
export function isInnermostLast(frame: string): boolean {
  return frame.charCodeAt(0) === 70;
}

/** Node: a function and its location in brackets, or a bare location. */
const NODE_FRAME =
  /^at (?:async )?(?:new )?(?:\S[^()]*? \((?:[^()]*:\d+(?::\d+)?|native|<anonymous>|index \d+)\)|(?:file:\/\/|node:|\/|[A-Za-z]:\\|\.\.?\/)\S*:\d+(?::\d+)?)$/;
/** JVM (Java, Kotlin, Scala…): a dotted method and its source file and line (or `Native Method`). */
const JVM_FRAME =
  /^at [\w$./<>-]+\.[\w$<>-]+\((?:[^()\s]*:\d+|[^()\s]+\.\w+|Native Method|Unknown Source)\)(?: ~?\[[^\]]*\])?$/;
/** PHP (and Laravel's `[stacktrace]`): `#0 /var/www/app.php(12): f()`, `#1 [internal function]: g()`, `#2 {main}`. */
const PHP_FRAME = /^#\d+ (?:\{main\}|\[internal function\]: \S.*|\S+\(\d+\): \S.*)$/;
/** .NET: a method with its parameter types, and its source file and line when known (`in /src/A.cs:line 42`). */
const DOTNET_FRAME = /^at [\w$.<>`+[\],]+\([\w$.<>`+[\], &*]*\)(?: in \S.*:line \d+)?$/;
const PYTHON_FRAME = /^File "[^"]+", line \d+(?:, in \S.*)?$/;
/** Ruby: a source file, its line and the method quoted (`` in `show' ``, `in 'Foo#show'`), `from ` first in an uncaught one's. */
const RUBY_FRAME = /^(?:from )?\S+?\.(?:rb|erb|haml|slim|rake|ru|builder|jbuilder):\d+:in [`'].+'$/;

function trimEnd(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last === 32 || last === 9 || last === 13 ? text.trimEnd() : text;
}
