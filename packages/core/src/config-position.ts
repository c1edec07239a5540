import { lineOfKey } from './config-line.js';
import { configKeyOf } from './pm2-dialect.js';

export { quoteValue } from './quote-value.js';

/**
 * The 1-based line a parser's syntax error points at (smol-toml's `line`, yaml's `linePos`, the
 * position or line in a JSON.parse message), or null when the error does not tell.
 */
export function syntaxErrorLine(cause: unknown, text: string): number | null {
  const at = cause as { line?: unknown; linePos?: { line?: unknown }[] } | null;
  const line = typeof at?.line === 'number' ? at.line : at?.linePos?.[0]?.line;
  if (typeof line === 'number' && line >= 1) return line;
  const message = cause instanceof Error ? cause.message : '';
  const explicit = /\(line (\d+) column \d+\)/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /at position (\d+)/.exec(message);
  if (position) return lineOfOffset(text, Number(position[1]));
  // yaml's alias limit (a "billion laughs" file) is met after parsing: the first alias is the culprit
  if (/alias/i.test(message)) {
    // (an alias's name may be any character yaml takes, a vertical tab included: match the `*` alone)
    const alias = text.split('\n').findIndex((row) => /(^|[\s[{,:-])\*/.test(row));
    if (alias !== -1) return alias + 1;
  }
  if (cause instanceof SyntaxError && /JSON/.test(message)) return lineOfOffset(text, jsonErrorOffset(text));
  return null;
}

/** Characters of a yaml error's own words kept: the position after them is never cut off. */
const YAML_WORDS_MAX = 150;

/**
 * A yaml error as one line: its words, then ` at line L, column C` from its position, or null when it
 * has none. The words can hold a newline (a bad `\U` escape quotes the 10 characters after the
 * backslash, the file's next line among them), where the first line of the message would lose the
 * position: newlines are shown as `\n`.
 */
export function yamlErrorText(cause: unknown): string | null {
  const pos = (cause as { linePos?: { line?: unknown; col?: unknown }[] } | null)?.linePos?.[0];
  if (!(cause instanceof Error) || typeof pos?.line !== 'number' || typeof pos.col !== 'number') return null;
  const marker = ` at line ${pos.line}, column ${pos.col}`;
  const end = cause.message.indexOf(marker);
  const words = (end === -1 ? cause.message : cause.message.slice(0, end)).replace(/\r\n|\r|\n/g, '\\n');
  return `${words.length > YAML_WORDS_MAX ? `${words.slice(0, YAML_WORDS_MAX)}…` : words}${marker}`;
}

/**
 * A JSON.parse message as every Node version words it: without the copy of the document newer V8 puts
 * in it (`Unexpected token 'x', "…" is not valid JSON`), nor the `(line 2 column 3)` Node 24's V8 adds
 * (the loader appends `(line 2)`, as to every config error).
 */
export function jsonErrorText(message: string): string {
  const token = /^(Unexpected token '.+?'), "[\s\S]* is not valid JSON$/.exec(message);
  if (token) return token[1]!;
  if (/^"[\s\S]*" is not valid JSON$/.test(message)) return 'not a JSON document';
  return (message.split('\n')[0] ?? '').replace(/ \(line \d+ column \d+\)$/, '');
}

/**
 * Where JSON.parse gives up on `text`, for the messages that do not say: the longest prefix that is
 * still a valid start of a document, found by bisection (a prefix is fine while it parses or fails
 * only at its own end).
 */
function jsonErrorOffset(text: string): number {
  const isFine = (end: number): boolean => {
    try {
      JSON.parse(text.slice(0, end));
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      const position = /at position (\d+)/.exec(message);
      return position ? Number(position[1]) >= end : /end of JSON input/.test(message);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (isFine(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

const MAX_PARSED_CHARS = 64 * 1024;

/**
 * CFG-2: the 1-based line of the key at `keyPath` (`['apps', 1, 'instances']`) in a config file's
 * text, or of the deepest part of the path that is written there (the app entry of a missing key).
 * YAML and JSON are walked with the yaml parser's source ranges; TOML follows its headers; a
 * JavaScript file (PM2's ecosystem.config.js) is searched from the app's name.
 */
export async function keyPathLine(
  text: string,
  keyPath: readonly PropertyKey[],
  ext: string,
): Promise<number | null> {
  if (ext === '.toml') return lineOfKey(text, keyPath, ext) ?? firstLine(text);
  // a large file is searched line by line: the yaml parser needs seconds for thousands of keys
  if ((ext === '.yaml' || ext === '.yml' || ext === '.json') && text.length <= MAX_PARSED_CHARS) {
    const line = await yamlLine(text, keyPath);
    if (line !== null) return line;
  }
  if (/^\.[cm]?js$/.test(ext)) return scriptLine(text, keyPath) ?? firstLine(text);
  return lineOfKey(text, keyPath, ext === '.json' ? '.json' : '.yaml') ?? firstLine(text);
}

/**
 * In JavaScript source, the app `apps[n]` is told by its `script:` (every app has one): the key is
 * the occurrence nearest the n-th `script:` line, between the scripts of its neighbours.
 */
function scriptLine(text: string, keyPath: readonly PropertyKey[]): number | null {
  const lines = text.split('\n');
  const index = keyPath.find((key): key is number => typeof key === 'number') ?? 0;
  const key = [...keyPath].reverse().find((part): part is string => typeof part === 'string');
  const scripts = lines.flatMap((line, i) => (/(^|[\s{,])["']?script["']?\s*:/.test(line) ? [i] : []));
  const anchor = scripts[index];
  if (anchor === undefined || key === undefined) return anchor === undefined ? null : anchor + 1;
  const from = (scripts[index - 1] ?? -1) + 1;
  const to = scripts[index + 1] ?? lines.length;
  const pattern = new RegExp(`(^|[\\s{,])["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
  let best: number | null = null;
  for (let i = from; i < to; i += 1) {
    if (pattern.test(lines[i]!) && (best === null || Math.abs(i - anchor) < Math.abs(best - anchor)))
      best = i;
  }
  return (best ?? anchor) + 1;
}

/** The 1-based line of character `offset` in `text`. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

function firstLine(text: string): number | null {
  return text.length > 0 ? 1 : null;
}

interface YamlNode {
  range?: [number, number, number];
  items?: unknown[];
  key?: YamlNode & { value?: unknown };
  value?: unknown;
}

async function yamlLine(text: string, keyPath: readonly PropertyKey[]): Promise<number | null> {
  const yaml = await import('yaml');
  const parseDocument = (yaml.parseDocument ??
    (yaml as unknown as { default: typeof yaml }).default.parseDocument) as (
    text: string,
    options: object,
  ) => { contents: unknown };
  let document: { contents: unknown };
  try {
    document = parseDocument(text, { uniqueKeys: false, keepSourceTokens: false });
  } catch {
    return null;
  }
  let node = document.contents as YamlNode | null;
  let offset: number | null = null;
  for (let i = 0; i < keyPath.length && node; i += 1) {
    const key = keyPath[i];
    const items = Array.isArray(node.items) ? (node.items as YamlNode[]) : null;
    if (!items) break;
    const isMap = items.every((item) => item !== null && typeof item === 'object' && 'key' in item);
    if (typeof key === 'number') {
      if (isMap) {
        // a PM2 file may be one bare app: `apps[0]` is the document itself
        if (key === 0) continue;
        break;
      }
      node = items[key] ?? null;
      if (node?.range) offset = node.range[0];
      continue;
    }
    if (!isMap) {
      // a bare array of apps: `apps` is the document itself
      if (key === 'apps') continue;
      break;
    }
    const pair = items.find((item) => {
      const name = item.key?.value;
      return typeof name === 'string' && (name === key || configKeyOf(name) === key);
    });
    if (!pair) {
      // the bare-app PM2 form: `apps` is the document itself
      if (key === 'apps' && i === 0 && keyPath[1] === 0) continue;
      break;
    }
    if (pair.key?.range) offset = pair.key.range[0];
    node = (pair.value ?? null) as YamlNode | null;
  }
  return offset === null ? null : lineOfOffset(text, offset);
}
