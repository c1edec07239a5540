import type { LogLine, LogsCut } from '@velos/core';
import { formatBytes } from '@velos/core';
import type { Colors } from './colors.js';

/** How `velos logs` prints lines: `<name> | line` (`<name>:<id> |` for a cluster instance's), the bare line, or one JSON object per line. */
export type LogLineFormat = 'prefixed' | 'raw' | 'json';

/**
 * Formats one captured line; on a colour terminal stderr lines get a red prefix. With `isEscaped` (a
 * terminal) the app's text goes through `terminalText`: its colours shown when `colors` paint, every
 * other control character as `\xHH`.
 */
export function formatLogLine(
  line: LogLine,
  format: LogLineFormat,
  colors: Colors,
  isEscaped = false,
): string {
  if (format === 'json') return JSON.stringify(line);
  const raw = line.fields ? `${line.line}${formatFields(line.fields)}` : line.line;
  const text = isEscaped ? terminalText(raw, colors) : raw;
  if (format === 'raw') return text;
  // of an app with several processes, the one that wrote the line when known (as `velos list` ids them)
  const prefix = line.isIdKnown ? `${line.name}:${line.id} |` : `${line.name} |`;
  return `${line.stream === 'err' ? colors.red(prefix) : colors.dim(prefix)} ${text}`;
}

// C0 controls but tab, DEL and the C1 controls: the ones a terminal may act on (ESC, BEL, CSI …)
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** `text` with every C0/C1 control character but tab (and DEL) written as `\xHH`, so it cannot drive a terminal. */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * An SGR sequence (`ESC [ 31 m`, or `CSI 31 m` with the C1 control U+009B): colours and text styles,
 * which cannot move the cursor or clear the screen.
 */
const SGR = /(?:\u001b\[|\u009b)([0-9;:]*)m/g;
/** Ends the colours an app's line left on, so they do not run into the next line's prefix. */
const SGR_RESET = '\u001b[0m';

/**
 * An app's text for a terminal: on a colour terminal its colours (SGR sequences) are kept, as
 * `pm2 logs` shows them (one begun by CSI as `ESC [`, which every terminal reads), and reset at the end
 * of the line; without colour (`NO_COLOR`) they are dropped; every other control character is shown
 * as `\xHH` (`escapeControlChars`).
 * @example terminalText('\u001b[31mred\u001b[0m \u0007', colors) // '\u001b[31mred\u001b[0m \\x07\u001b[0m'
 */
export function terminalText(text: string, colors: Pick<Colors, 'isColorSupported'>): string {
  if (!text.includes('\u001b[') && !text.includes('\u009b')) return escapeControlChars(text);
  if (!colors.isColorSupported) return escapeControlChars(text.replace(SGR, ''));
  let out = '';
  let from = 0;
  for (const match of text.matchAll(SGR)) {
    out += `${escapeControlChars(text.slice(from, match.index))}\u001b[${match[1]}m`;
    from = match.index + match[0].length;
  }
  if (from === 0) return escapeControlChars(text);
  return `${out}${escapeControlChars(text.slice(from))}${SGR_RESET}`;
}

/**
 * The stderr notice of a `logs` answer cut at its byte limit: what was left out, where it is, and a
 * shell command that prints the lines left out of the first file (`head -c` up to the end of the
 * newest of them, through `zcat` for a gzipped rotated file; without that offset, the file's end).
 */
export function formatLogsCut(cut: LogsCut): string {
  const files = cut.files.map(escapeControlChars);
  const lines = cut.omittedLines === 1 ? '1 older line' : `${cut.omittedLines} older lines`;
  const first = cut.files[0];
  const hint =
    first === undefined ? '' : ` (e.g. ${readCommand(first, cut.endOffsets?.[0] ?? -1, cut.omittedLines)})`;
  return (
    `velos logs: an answer holds at most ${formatBytes(cut.maxBytes)} of lines: up to ${lines} left out.\n` +
    `The full log is in ${files.join(' and ')}${hint}.\n`
  );
}

/**
 * The notice of a tail of some instances of an app whose instances share their log files (`velos logs
 * <id>`), when the daemon held fewer of their lines than were asked for (`LogsResult.unattributed`).
 */
export function formatUnattributed(target: string, files: string[]): string {
  const shown = files.map(escapeControlChars).join(' and ');
  const who = /^\d+$/.test(target) ? `process ${target}` : escapeControlChars(target);
  return (
    `velos logs: ${who} shares its log files with the other instances of its app: ` +
    `its older lines are in ${shown}, where they cannot be told from theirs ` +
    '(velos logs <app> shows every instance; log_per_instance = true gives each instance its own files).\n'
  );
}

/** A shell command printing the `lines` lines of `path` that end at byte `endOffset` (-1: at its end). */
function readCommand(path: string, endOffset: number, lines: number): string {
  const file = shellQuote(escapeControlChars(path));
  const last = `tail -n ${Math.max(1, lines)}`;
  const isGzip = path.endsWith('.gz');
  if (endOffset < 0) return isGzip ? `zcat ${file} | ${last}` : `${last} ${file}`;
  return isGzip ? `zcat ${file} | head -c ${endOffset} | ${last}` : `head -c ${endOffset} ${file} | ${last}`;
}

/** `text` as one shell word: as it is when it holds only safe characters, else in single quotes. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The fields of a parsed JSON line (LOG-5) as ` key=value` pairs; strings bare unless they hold spaces. */
export function formatFields(fields: Record<string, unknown>): string {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    const shown = typeof value === 'string' && /^[^\s"=]*$/.test(value) ? value : JSON.stringify(value);
    text += ` ${key}=${shown}`;
  }
  return text;
}
