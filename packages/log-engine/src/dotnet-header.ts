import type { Level } from './levels.js';

/** The first line of an entry of .NET's default console logger (`SimpleConsoleFormatter`). */
export interface DotnetHeader {
  level: Level;
  /** The logger's category, most often a class name (`Microsoft.Hosting.Lifetime`). */
  category: string;
  eventId: number;
}

/**
 * The header of a .NET console entry whose message is on the next line, indented by six spaces
 * (`info: Microsoft.Hosting.Lifetime[14]`, then `      Now listening on: http://localhost:5000`), or
 * undefined. `text` is the line without a leading timestamp (`TimestampFormat`), but for a time of day
 * alone (`09:00:00 info: …`). The one-line format
 * (`SingleLine`, the message after the `]`) is no header: it is classified as any labelled line.
 */
export function parseDotnetHeader(text: string): DotnetHeader | undefined {
  // cheap first: four letters, a colon and a space (or a time of day first: `HH:mm:ss `, which is no
  // timestamp the reader takes off, having no date)
  const at =
    text.charCodeAt(2) === 58 && text.charCodeAt(0) <= 57 ? (TIME_OF_DAY.exec(text)?.[0].length ?? 0) : 0;
  if (text.charCodeAt(at + 4) !== 58 || text.charCodeAt(at + 5) !== 32) return undefined;
  const match = HEADER.exec(at === 0 ? text : text.slice(at));
  if (match === null) return undefined;
  return { level: LEVELS[match[1]!]!, category: match[2]!, eventId: Number(match[3]) };
}

/**
 * True for a line of the scopes the logger writes between the header and the message when
 * `IncludeScopes` is on (`      => RequestPath:/orders RequestId:0HN…`).
 */
export function isDotnetScopeLine(line: string): boolean {
  return SCOPE.test(line);
}

const HEADER = /^(trce|dbug|info|warn|fail|crit): (\S.*?)\[(-?\d+)\]\s*$/;
const SCOPE = /^\s+=> /;
const TIME_OF_DAY = /^\d{2}:\d{2}:\d{2}(?:[.,]\d{1,7})? /;
const LEVELS: Record<string, Level> = {
  trce: 'debug',
  dbug: 'debug',
  info: 'info',
  warn: 'warn',
  fail: 'error',
  crit: 'fatal',
};
