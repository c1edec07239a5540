import { basename } from 'node:path';
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from '../completion/shell-scripts.js';
import { argumentError } from '../parse-argv.js';

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
 * `velos __complete <index> <words…>` in the full CLI: config keys, which need the config schema (the
 * quick bundle dist/velos-complete.cjs answers the rest, see complete-entry.ts), and any call that
 * reaches the full CLI.
 */
export async function runComplete(argv: readonly string[]): Promise<void> {
  const { completionAnswer, printAnswer } = await import('../completion/run-complete.js');
  const answer = completionAnswer(argv);
  if (answer === null) return;
  if (answer.kind === 'config-keys')
    process.stdout.write(`${(await configKeys(answer.withValue)).join('\n')}\n`);
  else await printAnswer(answer);
}

/**
 * `config set <app> key=value…`: each key of an app's config (`max_memory=`; the scripts add no space
 * after a word that ends in `=`), and `env.` for one variable of its env (`env.PORT=3000`). Without
 * `withValue` (`config unset <app> key…`), the keys alone, less `script`, which cannot be unset.
 */
async function configKeys(withValue: boolean): Promise<string[]> {
  const { appConfigSchema } = await import('@velos/core/config');
  const keys = Object.keys(appConfigSchema.def.shape).filter(
    (key) => key !== 'name' && key !== 'env' && (withValue || key !== 'script'),
  );
  return [...keys.map((key) => (withValue ? `${key}=` : key)), 'env.'];
}
