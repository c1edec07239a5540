/**
 * Terminal escape sequences: SGR colours (`\x1b[31m`), other CSI sequences (`\x1b[2K`), OSC sequences
 * (`\x1b]8;;url\x07`, hyperlinks and titles) and two-character escapes.
 */
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;

/**
 * The line without terminal escape sequences: a logger writing colours to a pipe or a file (winston's
 * `colorize`, pino-pretty, Rust's tracing, Spring Boot's console pattern, chalk) puts them around its
 * labels and timestamps, where they would hide the label, the time and the start of the line. A line
 * without an escape character is returned as it is, at the cost of one character search.
 *
 * @example
 * stripAnsi('\x1b[31mERROR\x1b[39m boom'); // 'ERROR boom'
 */
export function stripAnsi(line: string): string {
  return line.indexOf('\x1b') === -1 ? line : line.replace(ANSI, '');
}
