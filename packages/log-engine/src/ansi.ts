/**
 * Terminal escape sequences: SGR colours (`\x1b[31m`), other CSI sequences (`\x1b[2K`), OSC sequences
 * (`\x1b]8;;url\x07`, hyperlinks and titles) and two-character escapes; the same sequences begun by a C1
 * control (CSI U+009B, OSC U+009D), and every other C1 control (U+0080–U+009F: `ESC @`…`ESC _` in one
 * character), which a terminal acts on as it does on their ESC forms.
 */
const ANSI =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[\x80-\x9f]/g;

/**
 * The line without terminal escape sequences: a logger writing colours to a pipe or a file (winston's
 * `colorize`, pino-pretty, Rust's tracing, Spring Boot's console pattern, chalk) puts them around its
 * labels and timestamps, where they would hide the label, the time and the start of the line. A line
 * without ESC or CSI (U+009B) is returned as it is: another C1 control is taken out of a line that has
 * one of them (a lone one elsewhere, rare in logs, stays here; templates drop it, see `withoutC1`).
 *
 * @example
 * stripAnsi('\x1b[31mERROR\x1b[39m boom'); // 'ERROR boom'
 * stripAnsi('\u009b31mERROR\u009b39m boom'); // 'ERROR boom'
 */
export function stripAnsi(line: string): string {
  // two character searches (a regular expression of the C1 range costs ten times more, on every line)
  return line.indexOf('\x1b') === -1 && line.indexOf('\x9b') === -1 ? line : line.replace(ANSI, '');
}
