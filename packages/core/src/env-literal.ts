import { basename, extname } from 'node:path';
import { formatPath } from './config-error.js';
import { keyPathLine } from './config-position.js';
import { ErrorCodes, VelosError } from './errors.js';

/**
 * An env value written as a number or a boolean reaches the app as text: one the parser reads as
 * another text than the one written (`VERSION = 1.10` → "1.1", YAML `PORT: 08080` → "8080", `0o17` →
 * "15", `DEBUG: True` → "true") is refused, naming the key and what it would become, so that it is
 * quoted rather than changed without a word. Returns null when every such value reads as written (or
 * where it is written cannot be told).
 */
export async function envLiteralError(doc: unknown, text: string, file: string): Promise<VelosError | null> {
  const label = basename(file);
  const ext = extname(file).toLowerCase();
  const byName = new Map<string, Literal[]>();
  for (const literal of literalEnvValues(doc)) {
    const name = String(literal.path.at(-1));
    byName.set(name, [...(byName.get(name) ?? []), literal]);
  }
  if (byName.size === 0) return null;
  // a one-line document (JSON written by a program) gains nothing from a line number in the message
  const where = (line: number) => (text.trim().includes('\n') ? ` (line ${line})` : '');
  // one pass over the lines; the key's exact place is looked up only for a value written otherwise
  for (const [index, line] of text.split('\n').entries()) {
    for (const match of line.matchAll(WRITTEN)) {
      const [, name = '', written = ''] = match;
      const literals = byName.get(name);
      if (!literals || literals.some((literal) => String(literal.value) === written)) continue;
      // only the values this text can be (a file of 1000 apps with a PORT each looks up one or two)
      const likely = literals.filter(({ value }) => isReadingOf(written, value));
      for (const { path, value } of likely.length > 0 ? likely : literals) {
        if ((await keyPathLine(text, path, ext)) !== index + 1) continue;
        return new VelosError(
          ErrorCodes.INVALID_CONFIG,
          `${label}: ${formatPath(path)}: ${written} would reach the app as "${String(value)}" (env values are text): write it in quotes, "${written}"${where(index + 1)}`,
          { data: { file, keyPath: path, line: index + 1 } },
        );
      }
    }
  }
  return null;
}

/** `NAME = value` or `NAME: value` (the name maybe quoted), the value unquoted, up to a separator. */
const WRITTEN = /(?:^|[\s{,])["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*[:=]\s*([^\s,{}[\]#"'=]+)/g;

interface Literal {
  path: PropertyKey[];
  value: number | boolean;
}

/** The numbers and booleans of the env tables of a parsed file: each app's `env`, `env_<profile>`, and `[defaults]`. */
function literalEnvValues(doc: unknown): Literal[] {
  const found: Literal[] = [];
  const visit = (table: unknown, at: PropertyKey[]): void => {
    if (!isTable(table)) return;
    for (const [key, env] of Object.entries(table)) {
      if (key !== 'env' && !key.startsWith('env_')) continue;
      if (!isTable(env)) continue;
      for (const [name, value] of Object.entries(env)) {
        if (typeof value === 'number' || typeof value === 'boolean')
          found.push({ path: [...at, key, name], value });
      }
    }
  };
  // a bare JSON list of apps is walked from its indexes
  const [apps, at] = Array.isArray(doc) ? [doc, []] : [isTable(doc) ? doc.apps : undefined, ['apps']];
  if (Array.isArray(apps)) for (const [i, app] of apps.entries()) visit(app, [...at, i]);
  if (isTable(doc)) visit(doc.defaults, ['defaults']);
  return found;
}

/** True when `written` may be what the parser read as `value` (`0o17` as 15, `True` as true). */
function isReadingOf(written: string, value: number | boolean): boolean {
  if (typeof value === 'boolean') return written.toLowerCase() === String(value);
  return Number(written.replace(/_/g, '')) === value;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
