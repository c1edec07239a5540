/** The app entries a config file's text writes, counted before it is parsed: where and how many. */
export interface AppEntryCount {
  /** The list's key (`apps`, or `processes` for the processes form). */
  key: string;
  count: number;
  /** The 1-based line of the first entry. */
  line: number;
}

const TOML_HEADER = /\[\[[ \t]*"?(apps|processes)"?[ \t]*\]\]/y;
const YAML_KEY = /^(apps|processes)[ \t]*:[ \t]*(?:#.*)?$/m;

/**
 * The app entries of a TOML or YAML config file by a look at its lines, without parsing it: the
 * `[[apps]]` headers of TOML; the items of YAML's top-level `apps:` (or `processes:`) block list, or
 * of a bare top-level list. Made for refusing a file of far too many apps before a parse that takes
 * seconds per ten thousand of them (the count the parse gives is checked after it as well); other
 * forms (inline tables, flow lists) count nothing here. Null for another format or no entries.
 */
export function countAppEntries(text: string, ext: string): AppEntryCount | null {
  if (ext === '.toml') return tomlEntries(text);
  if (ext === '.yaml' || ext === '.yml') return yamlEntries(text);
  return null;
}

function tomlEntries(text: string): AppEntryCount | null {
  const counts = new Map<string, { count: number; offset: number }>();
  // `[[` by indexOf, then the header's pattern where it starts a line (a regular expression run over
  // every position of a large file costs hundreds of milliseconds before V8 compiles it)
  for (let at = text.indexOf('[['); at !== -1; at = text.indexOf('[[', at + 2)) {
    let start = at;
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start -= 1;
    if (start > 0 && text[start - 1] !== '\n') continue;
    TOML_HEADER.lastIndex = at;
    const key = TOML_HEADER.exec(text)?.[1];
    if (key === undefined) continue;
    const seen = counts.get(key);
    if (seen === undefined) counts.set(key, { count: 1, offset: start });
    else seen.count += 1;
  }
  let best: AppEntryCount | null = null;
  for (const [key, { count, offset }] of counts) {
    if (best === null || count > best.count) best = { key, count, line: lineAt(text, offset) };
  }
  return best;
}

function yamlEntries(text: string): AppEntryCount | null {
  const header = YAML_KEY.exec(text);
  const key = header?.[1] ?? 'apps';
  // a bare top-level list of apps (PM2's JSON-like form in YAML) starts at the first line
  let position = header === null ? 0 : text.indexOf('\n', header.index) + 1;
  if (header !== null && position === 0) return null;
  let indent = -1;
  let count = 0;
  let firstOffset = 0;
  while (position < text.length) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    let column = 0;
    while (text.charCodeAt(position + column) === 0x20) column += 1;
    const first = text.charCodeAt(position + column);
    const isBlank = position + column >= end || first === 0x0d || first === 0x23; // blank or a comment
    if (!isBlank) {
      const isItem =
        first === 0x2d && (position + column + 1 >= end || /[ \t\r]/.test(text[position + column + 1]!));
      if (indent === -1) {
        // the list's first line sets the column of its items; the bare form starts at column 0
        if (!isItem || (header === null && column !== 0)) return null;
        indent = column;
        firstOffset = position;
      }
      if (column < indent || (column === indent && !isItem)) break;
      if (column === indent) count += 1;
    }
    position = end + 1;
  }
  return count === 0 ? null : { key, count, line: lineAt(text, firstOffset) };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}
