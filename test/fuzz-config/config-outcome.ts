import { writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type AppSpec, checkPayloadLimits, isVelosError } from '@velos/core';
import * as config from '@velos/core/config';
import { requestSchemas } from '@velos/core/schemas';

/** What loading one fuzzed file gave: its apps, or the one-line error. */
export type Outcome = { kind: 'accepted'; count: number } | { kind: 'refused'; message: string };

const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 4 };

/**
 * Writes `text` to `file` and loads it the way `velos start <file>` does (a `.js` ecosystem file is
 * validated like apps/cli's loader does after its import), then checks the contract: accepted apps
 * pass the daemon's own `start` validation; a refusal is one INVALID_CONFIG line naming the file,
 * the key path and the line. Anything else (a TypeError, a RangeError, a stack overflow) throws.
 */
export async function loadOutcome(file: string, text: string, doc?: unknown): Promise<Outcome> {
  writeFileSync(file, text);
  let specs: AppSpec[];
  try {
    specs = file.endsWith('.js') ? await loadScript(file, text, doc) : await config.loadConfigFile(file, ctx);
  } catch (error) {
    return { kind: 'refused', message: checkRefusal(error, file, text) };
  }
  checkPayloadLimits('start', { apps: specs });
  const wire = requestSchemas.start.safeParse({ apps: specs });
  if (!wire.success) {
    throw new Error(
      `accepted by the config loader but refused by the daemon: ${wire.error.issues[0]?.message} at ${wire.error.issues[0]?.path.join('.')}`,
    );
  }
  return { kind: 'accepted', count: specs.length };
}

/** The same checks on `$VELOS_HOME/config.toml`. */
export async function daemonConfigOutcome(file: string, text: string): Promise<Outcome> {
  writeFileSync(file, text);
  try {
    await config.loadDaemonConfig(file);
    return { kind: 'accepted', count: 0 };
  } catch (error) {
    return { kind: 'refused', message: checkRefusal(error, file, text) };
  }
}

async function loadScript(file: string, text: string, doc: unknown): Promise<AppSpec[]> {
  const label = basename(file);
  try {
    const specs = config.validateConfig(doc, label, { ...ctx, dialect: 'pm2', baseDir: dirname(file) });
    await config.checkConfigCrons(specs, label);
    return specs;
  } catch (error) {
    throw await config.withLine(error, text, file, '.js');
  }
}

function checkRefusal(error: unknown, file: string, text: string): string {
  if (!isVelosError(error)) throw error;
  const label = basename(file);
  const { message } = error;
  const problems: string[] = [];
  if (error.code !== 'INVALID_CONFIG') problems.push(`code ${error.code}`);
  if (!message.startsWith(`${label}: `)) problems.push('does not start with the file name');
  if (message.includes('\n')) problems.push('more than one line');
  if (message.length > 800) problems.push(`${message.length} characters long`);
  const data = (error.data ?? {}) as { line?: unknown; keyPath?: unknown };
  const isSyntax = message.startsWith(`${label}: not valid `);
  if (text.trim() !== '' && typeof data.line !== 'number') problems.push('no line');
  if (!isSyntax) {
    const keyPath = data.keyPath;
    if (!Array.isArray(keyPath) || keyPath.length === 0) problems.push('no key path');
    else if (!message.includes(String(keyPath[keyPath.length - 1])))
      problems.push(`key ${String(keyPath[keyPath.length - 1])} not named`);
  }
  problems.push(...issueProblems(error.data, label, message, text));
  if (problems.length > 0) throw new Error(`bad config error (${problems.join(', ')}): ${message}`);
  return message;
}

/**
 * The same contract for every problem a refusal lists (`data.issues`, CFG-1): at most 10, each one
 * line of at most 800 characters naming the file, its key and its line; the first is the message (or,
 * for unknown keys of one table, `namedTogether` of them are named by it).
 */
function issueProblems(data: unknown, label: string, message: string, text: string): string[] {
  const issues = (data as { issues?: unknown } | undefined)?.issues;
  if (issues === undefined) return [];
  if (!Array.isArray(issues) || issues.length === 0) return ['issues not a list'];
  if (issues.length > 10) return [`${issues.length} issues listed`];
  // the unknown keys of one table: the message names the first `namedTogether` issues' keys on one line
  const together = (data as { namedTogether?: unknown }).namedTogether;
  if (typeof together === 'number') {
    const keys = issues.slice(0, together).map((issue: { keyPath?: unknown[] }) => issue.keyPath?.at(-1));
    if (!keys.every((key) => message.includes(`"${String(key)}"`)))
      return ['a key named together is not in the message'];
  } else if ((issues[0] as { message?: unknown }).message !== message)
    return ['first issue is not the message'];
  return issues.flatMap((issue: { message?: unknown; keyPath?: unknown; line?: unknown }, i) => {
    const at = `issue ${i}`;
    const { message: line, keyPath } = issue;
    if (typeof line !== 'string') return [`${at}: no message`];
    const out: string[] = [];
    if (!line.startsWith(`${label}: `)) out.push(`${at} does not start with the file name`);
    if (line.includes('\n')) out.push(`${at} more than one line`);
    if (line.length > 800) out.push(`${at} ${line.length} characters long`);
    if (text.trim() !== '' && typeof issue.line !== 'number') out.push(`${at} no line`);
    // a syntax error (yaml lists several) has a line and a column, no key
    const isSyntax = line.startsWith(`${label}: not valid `);
    if (isSyntax) {
      if (!/ at line \d+, column \d+/.test(line)) out.push(`${at} no line and column: ${line}`);
    } else if (!Array.isArray(keyPath) || keyPath.length === 0) out.push(`${at} no key path`);
    else if (!line.includes(String(keyPath[keyPath.length - 1]))) out.push(`${at} key not named: ${line}`);
    return out;
  });
}
