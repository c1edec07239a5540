import { readFile } from 'node:fs/promises';
import { createError, LogEngineErrorCodes } from './errors.js';
import { compileUserRules, type UserRule } from './user-rules.js';

/**
 * Reads a rules file for `--rules`: TOML (`[[rules]]` tables, or `log_rules = [...]` as in a Velos
 * config) when it ends in `.toml`, else JSON (a list, or `{"rules": [...]}` / `{"log_rules": [...]}`),
 * and checks its rules (`compileUserRules` compiles them); an invalid file throws `INVALID_ARGUMENT` naming
 * the file and the rule.
 */
export async function readRulesFile(path: string): Promise<UserRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw createError(LogEngineErrorCodes.IO_ERROR, `${path}: ${(error as Error).message}`, error);
  }
  let doc: unknown;
  try {
    // TOML only when asked for: the parser is loaded then, not at every start
    doc = path.endsWith('.toml') ? (await import('smol-toml')).parse(text) : JSON.parse(text);
  } catch (error) {
    const what = path.endsWith('.toml') ? 'TOML' : 'JSON';
    const why = (error as Error).message.split('\n')[0];
    throw createError(LogEngineErrorCodes.INVALID_ARGUMENT, `${path}: invalid ${what}: ${why}`, error);
  }
  const { key, rules } = rulesOf(doc);
  try {
    compileUserRules(rules, key);
    return rules as UserRule[];
  } catch (error) {
    throw createError(LogEngineErrorCodes.INVALID_ARGUMENT, `${path}: ${(error as Error).message}`, error);
  }
}

/** The list of rules in a parsed file, and the key path it was found at. */
function rulesOf(doc: unknown): { key: string; rules: unknown } {
  if (Array.isArray(doc)) return { key: 'rules', rules: doc };
  if (doc !== null && typeof doc === 'object') {
    if (Object.hasOwn(doc, 'log_rules'))
      return { key: 'log_rules', rules: (doc as { log_rules: unknown }).log_rules };
    return { key: 'rules', rules: (doc as { rules?: unknown }).rules };
  }
  return { key: 'rules', rules: doc };
}
