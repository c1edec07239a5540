import {
  countDocumentList,
  countFlowList,
  countTomlRootList,
  type FlowListCount,
} from './config-flow-count.js';

/** The app entries a config file's text writes, counted before it is parsed: where and how many. */
export interface AppEntryCount {
  /** The list's key (`apps`, or `processes` for the processes form). */
  key: string;
  count: number;
  /** The 1-based line of the first entry. */
  line: number;
}

const TOML_HEADER = /\[\[[ \t]*"?(apps|processes)"?[ \t]*\]\]/y;
// the top-level key, quoted or not, with its list on the lines below, or a flow list on its line
const YAML_KEY = /^(?:(apps|processes)|"(apps|processes)"|'(apps|processes)')[ \t]*:[ \t]*(?:#.*)?$/m;
const YAML_FLOW_KEY = /^(?:(apps|processes)|"(apps|processes)"|'(apps|processes)')[ \t]*:[ \t]*\[/m;

/**
 * The app entries of a config file, counted without parsing it: TOML's `[[apps]]` headers or its root
 * `apps = [ {...}, ... ]` array; the items of YAML's top-level `apps:` (or `processes:`) list, block or
 * flow style, or of a bare top-level list; JSON's `apps` list or bare list (PM2's comments and
 * trailing commas too). Strings and comments are read by the format's rules, so a bracket or a key
 * inside them is not counted. Made for refusing a file of far too many apps before a parse that takes
 * seconds per ten thousand of them (the count the parse gives is checked after it as well). Null for
 * another format, a form it does not read (a YAML anchor or tag before the list) or no entries.
 */
export function countAppEntries(text: string, ext: string): AppEntryCount | null {
  if (ext === '.toml') return tomlEntries(text);
  if (ext === '.yaml' || ext === '.yml') return yamlEntries(text);
  if (ext === '.json') return located(text, countDocumentList(text, 'json'));
  return null;
}

function located(text: string, list: FlowListCount | null): AppEntryCount | null {
  if (list === null || list.count === 0) return null;
  return { key: list.key, count: list.count, line: lineAt(text, list.offset) };
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
  // a root `apps = [...]` and `[[apps]]` headers cannot both be in a valid file
  return best ?? located(text, countTomlRootList(text));
}

function yamlEntries(text: string): AppEntryCount | null {
  const start = firstContent(text);
  // a document written as one flow collection (JSON, or `{apps: [...]}`)
  if (text[start] === '[' || text[start] === '{') return located(text, countDocumentList(text, 'yaml'));
  const flow = YAML_FLOW_KEY.exec(text);
  const header = YAML_KEY.exec(text);
  if (flow !== null && (header === null || flow.index <= header.index)) {
    const key = flow[1] ?? flow[2] ?? flow[3] ?? 'apps';
    return located(text, countFlowList(text, flow.index + flow[0].length - 1, 'yaml', key));
  }
  const key = header?.[1] ?? header?.[2] ?? header?.[3] ?? 'apps';
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
        // a flow list on the lines below the key: `apps:` then `  [ {...}, ... ]`
        if (first === 0x5b && header !== null && column > 0)
          return located(text, countFlowList(text, position + column, 'yaml', key));
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

/** The offset of the first character that is not a space, a line break or in a `#` comment. */
function firstContent(text: string): number {
  let at = 0;
  for (;;) {
    while (at < text.length && /[ \t\r\n]/.test(text[at]!)) at += 1;
    if (text[at] !== '#') return at;
    const end = text.indexOf('\n', at);
    if (end === -1) return text.length;
    at = end + 1;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}
