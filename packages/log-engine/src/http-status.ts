import type { Level } from './levels.js';

const METHODS = 'GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE|PROPFIND';

/**
 * The request-status expression for a status starting with `first`: after a quoted request (`"GET /x
 * HTTP/1.1" 500` — Apache/nginx Common and Combined Log Format, Django's and werkzeug's servers), after an
 * unquoted method, path and version (`GET /x HTTP/1.1 500`, morgan's `short`), or Rails' `Completed 500
 * Internal Server Error`. The status must be a whole word (`500`, not `5000` or `500.1`). `colour` may
 * stand before the status (colour codes begun by ESC [ or CSI, U+009B or its UTF-8 bytes C2 9B read as
 * Latin-1), and then a colour code before the method too;
 * `flags` are the expression's flags.
 */
function requestStatus(first: string, colour: string, flags: string): RegExp {
  const before = colour === '' ? String.raw`(?<!\S)` : String.raw`(?:(?<!\S)|(?<=(?:\x1b\[|\x9b)[\d;]*m))`;
  return new RegExp(
    String.raw`(?:"(?:${METHODS}) [^"\n]*"|${before}(?:${METHODS}) (?:/|https?://)\S*(?: HTTP/\d(?:\.\d)?)?|\bCompleted) ${colour}(${first}\d\d)(?![\w.])`,
    flags,
  );
}

const REQUEST_STATUS = requestStatus('[1-5]', '', '');

/**
 * HAProxy's HTTP log (`option httplog`): the status starting with `first` after the five timers
 * (`0/0/1/2/3 503 212 …`, a timer -1 when it did not run, the last one `+` with `logasap`), the quoted
 * request at the end of the line.
 */
function haproxyStatus(first: string): RegExp {
  return new RegExp(
    String.raw`(?<!\S)-?\d+/-?\d+/-?\d+/-?\d+/\+?-?\d+ (${first}\d\d) \+?\d+ .*"(?:${METHODS}) [^"]*"\s*$`,
  );
}

const HAPROXY_STATUS = haproxyStatus('[1-5]');

/**
 * The same at the start of a line without `HTTP/` (morgan's `dev` and `tiny`: `GET /x 500 3.1 ms`; Rails'
 * `Completed 500 …`), after bracketed tags (`[req-1] Completed 500 …`) or a time: tried at the start
 * only, so a line costs one anchored attempt.
 */
const START_STATUS = new RegExp(
  String.raw`(?:\[[^\]]*\]:? |\d[\d/:.,TZ+-]* )*(?:(?:${METHODS}) (?:/|https?://)\S*|Completed) ([1-5]\d\d)(?![\w.])`,
  'y',
);

/**
 * True when `START_STATUS` may match `text`: it starts with `Completed `, with two capitals (a method), or
 * with a tag (up to the first `]`) or a time (up to the first space, ending with a digit or one of
 * / : . , T Z + -) followed by a space and then another tag, time or method. Most lines fail at their
 * first characters or at the one after their first tag or time.
 */
function mayStartWithRequest(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === 67) return text.startsWith('Completed ');
  let next: number;
  if (c === 91) {
    const close = text.indexOf(']', 1);
    if (close === -1) return false;
    next = text.charCodeAt(close + 1) === 58 ? close + 2 : close + 1;
  } else if (c >= 48 && c <= 57) {
    next = text.indexOf(' ', 1);
    if (next === -1 || !isTimeChar(text.charCodeAt(next - 1))) return false;
  } else return isMethodStart(c, text.charCodeAt(1));
  if (text.charCodeAt(next) !== 32) return false;
  const after = text.charCodeAt(next + 1);
  return after === 91 || (after >= 48 && after <= 57) || isMethodStart(after, text.charCodeAt(next + 2));
}

/** True when `c` and `d` may start a method (two capitals) or `Completed`. */
function isMethodStart(c: number, d: number): boolean {
  return (
    (c === 71 || c === 72 || c === 80 || c === 68 || c === 79 || c === 84 || c === 67) &&
    ((d >= 65 && d <= 90) || (c === 67 && d === 111))
  );
}

/** A character of `[\d/:.,TZ+-]`, as a time before a request is made of. */
function isTimeChar(c: number): boolean {
  return (c >= 43 && c <= 58) || c === 84 || c === 90;
}

/**
 * A request that `accessLogLevel` makes an error (a 5xx status) in one line, with the colour codes a
 * terminal logger (morgan's `dev`) puts before the status: for `serverErrorHits`.
 */
const SERVER_ERROR_REQUEST = requestStatus('5', String.raw`(?:(?:\x1b\[|\xc2?\x9b)[\d;]*m)*`, '');
/** A HAProxy request answered 5xx, for `serverErrorHits`. */
const HAPROXY_SERVER_ERROR = haproxyStatus('5');
/** Where a 5xx status may stand: after a space, or after the `m` that ends a colour code. */
const SERVER_ERROR_STATUS = /[ m]5\d\d(?![\w.])/g;

/**
 * The offsets of the requests answered 5xx in `text` (lines separated by `\n`), one per line, ascending:
 * for `findErrorHints`. The status is found first (one simple pattern over the text), and only the
 * lines holding one are matched against the request expression, which costs about as much as the rest
 * of the hint search when run over every position of a log full of requests answered 2xx.
 */
export function serverErrorHits(text: string): number[] {
  const hits: number[] = [];
  let lineEnd = -1;
  SERVER_ERROR_STATUS.lastIndex = 0;
  for (let m = SERVER_ERROR_STATUS.exec(text); m !== null; m = SERVER_ERROR_STATUS.exec(text)) {
    if (m.index < lineEnd) continue;
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    lineEnd = text.indexOf('\n', m.index);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const request = SERVER_ERROR_REQUEST.exec(line) ?? HAPROXY_SERVER_ERROR.exec(line);
    if (request !== null) hits.push(lineStart + request.index);
    SERVER_ERROR_STATUS.lastIndex = lineEnd;
  }
  return hits;
}

/**
 * The level an HTTP status names: 5xx (the server failed) is an error, 4xx (the client was refused: bad
 * request, not found, unauthorised) a warning, anything else info.
 */
export function httpStatusLevel(status: number): Level {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/**
 * The level of an access-log line (Apache, nginx, morgan, Rails, HAProxy) from its response status (`httpStatusLevel`), undefined when the
 * line shows no request with a status. The status decides instead of the words of the line: the path
 * `/api/errors` or `/debug/pprof` and the user agent are the client's words, not the server's.
 *
 * @example
 * accessLogLevel('10.0.0.1 - - [04/Dec/2024:10:00:00 +0000] "GET /api/errors HTTP/1.1" 200 512'); // 'info'
 * accessLogLevel('GET /api/orders 503 12.001 ms - 19'); // 'error'
 */
export function accessLogLevel(text: string): Level | undefined {
  let match: RegExpExecArray | null = null;
  if (text.indexOf('HTTP/') !== -1) match = REQUEST_STATUS.exec(text) ?? HAPROXY_STATUS.exec(text);
  else if (mayStartWithRequest(text)) {
    START_STATUS.lastIndex = 0;
    match = START_STATUS.exec(text);
  }
  return match === null ? undefined : httpStatusLevel(Number(match[1]));
}
