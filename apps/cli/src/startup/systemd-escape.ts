/**
 * A value for a systemd unit setting: `%` doubled (it starts a specifier in every setting), and
 * quoted with `\`, `"` and line breaks escaped when it holds blanks, quotes, backslashes or `;`.
 */
export function quoteValue(value: string): string {
  const escaped = value.replaceAll('%', '%%');
  if (!/[\s"'\\;]/.test(escaped)) return escaped;
  // a line break would end the setting: inside quotes systemd reads C escapes
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** An `ExecStart=` command line: each word quoted, `$` doubled (Exec lines expand variables). */
export function execLine(words: readonly string[]): string {
  return words.map((word) => quoteValue(word.replaceAll('$', '$$$$'))).join(' ');
}

/** An `Environment=` value: `NAME=value` as one quoted word. */
export function environmentLine(name: string, value: string): string {
  return `Environment=${quoteValue(`${name}=${value}`)}`;
}
