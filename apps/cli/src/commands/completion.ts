import { basename } from 'node:path';
import type { VelosClient } from '@velos/client';
import { COMMANDS } from '../command-table.js';
import { type CompletionAnswer, completeWords } from '../completion/complete-words.js';
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from '../completion/shell-scripts.js';
import { resolveHome } from '../context.js';
import { argumentError } from '../parse-argv.js';

/** How long `__complete` waits for the daemon's names before it answers without them. */
const NAMES_TIMEOUT_MS = 1000;

/** `velos completion [shell]`: prints the completion script of `shell`, or of the user's shell (`$SHELL`). */
export function runCompletion(named: string | undefined): void {
  const shell = named ?? basename(process.env.SHELL ?? '');
  if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
    const names = COMPLETION_SHELLS.join(', ');
    throw argumentError(
      named === undefined
        ? `velos completion: no script for your shell${shell ? ` (${shell}, from $SHELL)` : ''}; name one of ${names}`
        : `unknown shell "${shell}": velos completion takes ${names}`,
    );
  }
  process.stdout.write(completionScript(shell as CompletionShell));
}

/**
 * `velos __complete <index> <words…>`, what the completion scripts run at each Tab: the candidates for
 * the word at `index` of `words` (the command line after `velos`), one per line, or `:files`. Names come
 * from a daemon that already runs (never started for this), within `NAMES_TIMEOUT_MS`; without one the
 * fixed words are still given. Prints nothing for a malformed call: the shell then offers nothing.
 */
export async function runComplete(argv: readonly string[]): Promise<void> {
  const index = Number(argv[0]);
  if (!Number.isInteger(index) || index < 0) return;
  const answer = completeWords(COMMANDS, argv.slice(1), index);
  if (answer.kind === 'files') {
    process.stdout.write(':files\n');
    return;
  }
  if (answer.kind === 'config-keys') {
    process.stdout.write(`${(await configKeys()).join('\n')}\n`);
    return;
  }
  const names = answer.kind === 'names' ? await daemonNames(answer.source) : [];
  const words = [...new Set([...answer.words, ...names])];
  if (answer.kind === 'names' && answer.withFiles) words.push(':files');
  if (words.length > 0) process.stdout.write(`${words.join('\n')}\n`);
}

/**
 * `config set <app> key=value…`: each key of an app's config (`max_memory=`; the scripts add no space
 * after a word that ends in `=`), and `env.` for one variable of its env (`env.PORT=3000`).
 */
async function configKeys(): Promise<string[]> {
  const { appConfigSchema } = await import('@velos/core/config');
  const keys = Object.keys(appConfigSchema.def.shape).filter((key) => key !== 'name' && key !== 'env');
  return [...keys.map((key) => `${key}=`), 'env.'];
}

/**
 * The names a running daemon knows for `source`; none when no daemon answers in time. The client (and
 * its MessagePack codec) loads here, not with this module: a Tab on a command word or an option, most
 * of them, asks the daemon nothing and went on loading it (~15 ms of each such Tab).
 */
async function daemonNames(
  source: Extract<CompletionAnswer, { kind: 'names' }>['source'],
): Promise<string[]> {
  const { createClient } = await import('@velos/client');
  const client = createClient({
    home: resolveHome(process.env),
    autoStart: false,
    timeoutMs: NAMES_TIMEOUT_MS,
  });
  try {
    return await namesOf(client, source);
  } catch {
    return [];
  } finally {
    await client.close();
  }
}

async function namesOf(
  client: VelosClient,
  source: Extract<CompletionAnswer, { kind: 'names' }>['source'],
): Promise<string[]> {
  if (source === 'rule') return (await client.alerts()).map((alert) => alert.rule.name);
  if (source === 'component') return (await client.components()).map((component) => component.name);
  const processes = await client.list();
  if (source === 'job') return processes.filter((p) => p.type === 'job').map((p) => p.name);
  const names = processes.map((p) => p.name);
  if (source === 'app') return names;
  const namespaces = processes.map((p) => p.namespace).filter((namespace) => namespace !== 'default');
  return [...names, ...namespaces, 'all'];
}
