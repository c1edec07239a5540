/**
 * CFG-2: the 1-based line of a config file where the key at `path` (`['apps', 1, 'instances']`) is
 * written, or null when it cannot be told. TOML is followed through its `[[apps]]` and `[table]`
 * headers; YAML and JSON fall back to the first line of the last key after the list entry's start.
 */
export function lineOfKey(text: string, path: readonly PropertyKey[], ext: string): number | null {
  const lines = text.split('\n');
  if (ext === '.toml') return tomlLine(lines, path);
  return looseLine(lines, path, ext === '.json');
}

function tomlLine(lines: string[], path: readonly PropertyKey[]): number | null {
  let from = 0;
  let to = lines.length;
  // where the headers of the current table's sub-tables may be: the whole file, or one `[[x]]` item
  let scopeFrom = 0;
  let scopeTo = lines.length;
  let prefix = '';
  let found: number | null = null;
  for (let i = 0; i < path.length; i += 1) {
    const key = path[i];
    const next = path[i + 1];
    if (typeof key !== 'string') continue;
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (typeof next === 'number') {
      // an inline array (`log_rules = [` with a `{ … }` table per line): the line of the next+1-th table
      const inline = indexesOf(lines, from, to, (line) => keyOfLine(line) === key)[0];
      if (inline !== undefined) return inlineItemLine(lines, inline, to, next);
      // an array of tables: the next+1-th `[[dotted]]` header, up to the following one
      const headers = indexesOf(lines, from, to, (line) => line === `[[${dotted}]]`);
      const at = headers[next];
      if (at === undefined) return found;
      found = at + 1;
      from = at + 1;
      to = headers[next + 1] ?? endOfArrayItem(lines, from, to, dotted);
      scopeFrom = from;
      scopeTo = to;
      prefix = dotted;
      continue;
    }
    const own = indexesOf(lines, from, to, (line) => keyOfLine(line) === key);
    if (own[0] !== undefined) {
      found = own[0] + 1;
      // an inline value holds whatever is deeper
      if (i < path.length - 1) return found;
      continue;
    }
    // a sub-table's header may come anywhere after its parent's keys (`[metrics]`, `port = 1`, then
    // `[api]`, then `[metrics.otlp]`), and the parent may have no header of its own at all
    const table = indexesOf(lines, scopeFrom, scopeTo, (line) => line === `[${dotted}]`)[0];
    if (table === undefined) {
      // a table written only through its sub-tables: the first of them, and no keys of its own
      const sub = indexesOf(lines, scopeFrom, scopeTo, (line) => line.startsWith(`[${dotted}.`))[0];
      if (sub === undefined) return found;
      found = sub + 1;
      from = sub;
      to = sub;
      prefix = dotted;
      continue;
    }
    found = table + 1;
    from = table + 1;
    to = indexesOf(lines, from, scopeTo, (line) => line.startsWith('['))[0] ?? scopeTo;
    prefix = dotted;
  }
  return found;
}

/** The line of the `index`-th `{` table of the inline array that starts at line `start` (0-based), else its key's. */
function inlineItemLine(lines: string[], start: number, to: number, index: number): number {
  let seen = 0;
  for (let i = start + 1; i < to; i += 1) {
    const line = lines[i]!.trim();
    if (line.startsWith(']')) break;
    if (line.startsWith('{') && seen++ === index) return i + 1;
  }
  return start + 1;
}

/** Where an `[[apps]]` item ends when it is the last one: at the next header that is not one of its sub-tables. */
function endOfArrayItem(lines: string[], from: number, to: number, dotted: string): number {
  const next = indexesOf(
    lines,
    from,
    to,
    (line) => line.startsWith('[') && !line.startsWith(`[${dotted}.`) && !line.startsWith(`[[${dotted}.`),
  )[0];
  return next ?? to;
}

function looseLine(lines: string[], path: readonly PropertyKey[], isJson: boolean): number | null {
  const last = [...path].reverse().find((key): key is string => typeof key === 'string');
  if (last === undefined) return null;
  const pattern = isJson
    ? new RegExp(`"${escapeRegExp(last)}"\\s*:`)
    : new RegExp(`^\\s*(-\\s+)?["']?${escapeRegExp(last)}["']?\\s*:`);
  // after the start of the n-th list entry when the path has an index (YAML `- ` items, JSON `{`)
  const index = path.find((key): key is number => typeof key === 'number');
  let from = 0;
  if (index !== undefined && !isJson) {
    const items = indexesOf(lines, 0, lines.length, (line) => /^-\s/.test(line));
    if (items.length === 0) {
      const indented = lines.findIndex((line) => /^\s+-\s/.test(line));
      const indent = indented === -1 ? '' : /^(\s+)-/.exec(lines[indented]!)![1]!;
      from = indexesOf(lines, 0, lines.length, (line) => line.startsWith(`${indent}- `))[index] ?? 0;
    } else from = items[index] ?? 0;
  }
  for (let i = from; i < lines.length; i += 1) if (pattern.test(lines[i]!)) return i + 1;
  return null;
}

function keyOfLine(line: string): string | null {
  const match = /^\s*("([^"]+)"|'([^']+)'|[A-Za-z0-9_-]+)\s*=/.exec(line);
  if (!match) return null;
  return match[2] ?? match[3] ?? match[1]!;
}

function indexesOf(lines: string[], from: number, to: number, test: (line: string) => boolean): number[] {
  const found: number[] = [];
  for (let i = from; i < to; i += 1) if (test(lines[i]!.trim())) found.push(i);
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
