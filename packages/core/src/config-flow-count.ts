import { FlowLexer, type FlowSyntax, Token, type TokenKind } from './config-flow-lexer.js';

/** The entries of a list written in flow style (`[ {...}, {...} ]`): how many, and where the first starts. */
export interface FlowListCount {
  /** The list's key (`apps` or `processes`). */
  key: string;
  count: number;
  /** The offset of the first entry (of the list's `[` when it is empty). */
  offset: number;
}

const LIST_KEYS = new Set(['apps', 'processes']);

/**
 * The entries of the list that opens at `text[open]` (a `[`), read by the format's rules; null when
 * the text does not close it (a string or comment left open, the end of the text).
 */
export function countFlowList(
  text: string,
  open: number,
  syntax: FlowSyntax,
  key = 'apps',
): FlowListCount | null {
  const lexer = new FlowLexer(text, syntax, open);
  return lexer.next() === Token.OPEN_LIST ? listAfterOpen(lexer, key, open) : null;
}

/**
 * The `apps` (or `processes`) list of a document written as one flow collection: a JSON file (PM2's
 * comments and trailing commas too), or a YAML file written as JSON or flow style. A bare list is
 * the apps; in a map, the list of a top-level `apps`/`processes` key, quoted or not.
 */
export function countDocumentList(text: string, syntax: 'json' | 'yaml'): FlowListCount | null {
  const lexer = new FlowLexer(text, syntax);
  const first = lexer.next();
  if (first === Token.OPEN_LIST) return listAfterOpen(lexer, 'apps', lexer.start);
  if (first !== Token.OPEN_MAP) return null;
  let best: FlowListCount | null = null;
  let depth = 1;
  let key: string | null = null;
  let listKey: string | null = null;
  let isKeyPlace = true;
  for (;;) {
    const kind = lexer.next();
    if (kind === Token.END || kind === Token.ERROR) return null;
    if (listKey !== null && kind === Token.OPEN_LIST) {
      const listed = listAfterOpen(lexer, listKey, lexer.start);
      if (listed === null) return null;
      if (best === null || listed.count > best.count) best = listed;
      listKey = null;
      continue;
    }
    listKey = depth === 1 && kind === Token.SEPARATOR && key !== null && LIST_KEYS.has(key) ? key : null;
    if (depth === 1) {
      key = isKeyPlace && kind === Token.SCALAR ? keyName(lexer.tokenText(), syntax) : null;
      isKeyPlace = kind === Token.COMMA;
    }
    depth += depthChange(kind);
    if (depth === 0) return best;
  }
}

/**
 * The `apps` (or `processes`) array of a TOML file's root table (`apps = [ {...}, {...} ]`), read
 * up to the first table header; null when the root table has none.
 */
export function countTomlRootList(text: string): FlowListCount | null {
  const lexer = new FlowLexer(text, 'toml');
  let depth = 0;
  let key: string | null = null;
  let keyTokens = 0;
  let listKey: string | null = null;
  for (;;) {
    const kind = lexer.next();
    if (kind === Token.END || kind === Token.ERROR) return null;
    if (listKey !== null && kind === Token.OPEN_LIST) return listAfterOpen(lexer, listKey, lexer.start);
    listKey = depth === 0 && kind === Token.SEPARATOR && key !== null && LIST_KEYS.has(key) ? key : null;
    if (depth === 0 && lexer.isLineStart) {
      // a header (`[table]`, `[[apps]]`) ends the root table
      if (kind === Token.OPEN_LIST) return null;
      keyTokens = 0;
      key = null;
    }
    if (depth === 0 && kind === Token.SCALAR) {
      keyTokens += 1;
      key = keyTokens === 1 ? keyName(lexer.tokenText(), 'toml') : null;
      continue;
    }
    if (kind !== Token.SEPARATOR) key = null;
    depth += depthChange(kind);
    if (depth < 0) return null;
  }
}

function listAfterOpen(lexer: FlowLexer, key: string, open: number): FlowListCount | null {
  let depth = 1;
  let count = 0;
  let offset = open;
  let isEntryPlace = true;
  for (;;) {
    const kind: TokenKind = lexer.next();
    if (kind === Token.END || kind === Token.ERROR) return null;
    if (depth === 1 && isEntryPlace && kind !== Token.CLOSE_LIST && kind !== Token.COMMA) {
      // an entry starts after `[` or `,`: a trailing comma adds none
      if (count === 0) offset = lexer.start;
      count += 1;
      isEntryPlace = false;
    }
    if (depth === 1 && kind === Token.COMMA) isEntryPlace = true;
    depth += depthChange(kind);
    if (depth === 0) return { key, count, offset };
  }
}

function depthChange(kind: TokenKind): number {
  if (kind === Token.OPEN_LIST || kind === Token.OPEN_MAP) return 1;
  if (kind === Token.CLOSE_LIST || kind === Token.CLOSE_MAP) return -1;
  return 0;
}

/** A key as the format reads it: JSON's escapes decoded, a quoted YAML or TOML key without quotes. */
function keyName(raw: string, syntax: FlowSyntax): string | null {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") return raw;
  if (syntax === 'json' || quote === '"') {
    try {
      const value: unknown = JSON.parse(raw);
      return typeof value === 'string' ? value : null;
    } catch {
      return null;
    }
  }
  return raw.length >= 2 && raw.endsWith("'") ? raw.slice(1, -1).replaceAll("''", "'") : null;
}
