import { resolveHome } from '@velos/core';
import { COMMANDS } from '../command-table.js';
import { type CompletionAnswer, completeWords } from './complete-words.js';

/** How long `__complete` waits for the daemon's names before it answers without them. */
const NAMES_TIMEOUT_MS = 1000;

/**
 * The answer of `velos __complete <index> <words…>` (the command line after `velos`), or null for a
 * malformed call, which prints nothing: the shell then offers nothing.
 */
export function completionAnswer(argv: readonly string[]): CompletionAnswer | null {
  const index = Number(argv[0]);
  if (!Number.isInteger(index) || index < 0) return null;
  return completeWords(COMMANDS, argv.slice(1), index);
}

/**
 * Prints an answer other than config keys (which need the config schema: the full CLI prints them),
 * one candidate a line, or `:files`. Names come from a daemon that already runs, within
 * `NAMES_TIMEOUT_MS`; without one the fixed words are still given.
 */
export async function printAnswer(answer: Exclude<CompletionAnswer, { kind: 'config-keys' }>): Promise<void> {
  if (answer.kind === 'files') {
    process.stdout.write(':files\n');
    return;
  }
  // the connection's code loads for names only: most Tabs are on command words and options
  const names =
    answer.kind === 'names'
      ? await (await import('./daemon-names.js')).daemonNames(
          resolveHome(process.env),
          answer.source,
          NAMES_TIMEOUT_MS,
        )
      : [];
  const words = [...new Set([...answer.words, ...names])];
  if (answer.kind === 'names' && answer.withFiles) words.push(':files');
  if (words.length > 0) process.stdout.write(`${words.join('\n')}\n`);
}
