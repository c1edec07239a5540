import { readFileSync, statSync } from 'node:fs';
import { decodeUtf8 } from './utf8-text.js';

/** The largest env file read (a config reload reads it in the daemon). */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** An env file read: its variables, or its first line that is not `KEY=VALUE` (1-based) and why. */
export type EnvFileResult =
  | { ok: true; env: Record<string, string> }
  | { ok: false; line: number; why: string };

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses the text of an env file as systemd's `EnvironmentFile=`, docker's `env_file` and dotenv
 * read it: `KEY=VALUE` lines, blank lines and `#`/`;` comment lines skipped, an optional `export `,
 * a value in double quotes (with `\n`, `\"`, `\\` escapes) or single quotes (taken as written), else
 * trimmed. Returns the variables, or the first line it cannot read.
 */
export function parseEnvFile(text: string): EnvFileResult {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const equals = line.indexOf('=');
    const key = (equals < 0 ? line : line.slice(0, equals)).replace(/^export\s+/, '').trim();
    if (equals < 0 || !KEY.test(key))
      return {
        ok: false,
        line: index + 1,
        why: `expected KEY=VALUE with KEY a variable name, got ${JSON.stringify(cut(line))}`,
      };
    const value = unquote(line.slice(equals + 1).trim());
    if (value === null)
      return { ok: false, line: index + 1, why: `unterminated quote in the value of ${key}` };
    env[key] = value;
  }
  return { ok: true, env };
}

/** Reads and parses env files in order (a later file's key wins); throws an Error naming the file and line. */
export function readEnvFiles(paths: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const path of paths) {
    const shown = shownPath(path);
    let text: string;
    try {
      // never a FIFO or a device: reading one would block (or never end) in the daemon at a reload
      const stat = statSync(path);
      if (!stat.isFile()) throw new Error(`${shown} is not a regular file`);
      if (stat.size > MAX_ENV_FILE_BYTES)
        throw new Error(`${shown} is larger than ${MAX_ENV_FILE_BYTES / 1024 / 1024} MiB`);
      const decoded = decodeUtf8(readFileSync(path));
      // a Latin-1 value would reach the app as U+FFFD, changed without a word
      if (!decoded.ok)
        throw new Error(
          `${shown} line ${decoded.line}: not UTF-8 text: ${decoded.why} (column ${decoded.column}); save the file as UTF-8`,
        );
      text = decoded.text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined && error instanceof Error) throw error;
      throw new Error(`cannot read ${shown}${code ? ` (${code})` : ''}`);
    }
    const parsed = parseEnvFile(text);
    if (!parsed.ok) throw new Error(`${shown} line ${parsed.line}: ${parsed.why}`);
    Object.assign(env, parsed.env);
  }
  return env;
}

function unquote(value: string): string | null {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value;
  if (value.length < 2 || !value.endsWith(quote)) return null;
  const inner = value.slice(1, -1);
  if (quote === "'") return inner;
  return inner.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : char));
}

/** A path as an error shows it: a long one (a config typo, a fuzzer) keeps its start and its file name. */
function shownPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 80)}...${path.slice(-80)}` : path;
}

function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
