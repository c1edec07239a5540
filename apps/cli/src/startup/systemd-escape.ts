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

/**
 * An app name as it can start a unit name: systemd-escape's rules, each UTF-8 byte of a character
 * outside `A-Z a-z 0-9 : _ .` written `\xNN` (a leading `.` too), except that `-` stays as it is (names
 * with `-` keep the units they had). No name holds `\`, so two names never share an escaped form.
 * @example escapeUnitName('заказы-api'); // '\xd0\xb7\xd0\xb0\xd0\xba\xd0\xb0\xd0\xb7\xd1\x8b-api'
 */
export function escapeUnitName(name: string): string {
  if (/^[A-Za-z0-9:_-][A-Za-z0-9:_.-]*$/.test(name)) return name;
  let escaped = '';
  for (const char of name) {
    if (/^[A-Za-z0-9:_-]$/.test(char) || (char === '.' && escaped !== '')) escaped += char;
    else for (const byte of Buffer.from(char, 'utf8')) escaped += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}
