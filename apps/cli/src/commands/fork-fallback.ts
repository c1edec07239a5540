import type { AppSpec, ProcessInfo } from '@velos/core';

const TYPESCRIPT = /\.[cm]?ts$/i;

/**
 * The warnings of a start that asked for cluster mode (`-i`, `--exec-mode cluster`) for a program that
 * is not a Node script, which then runs as fork instances (SUP-5): each of them listening on the
 * app's port would fail with EADDRINUSE, so the start says so rather than leave the user to find out.
 * @example forkFallbackWarnings([spec], rows) // → ['sh: runs as 3 fork instances, not in cluster mode: …']
 */
export function forkFallbackWarnings(
  specs: readonly Pick<AppSpec, 'name' | 'script' | 'execMode'>[],
  rows: readonly Pick<ProcessInfo, 'name' | 'execMode'>[],
): string[] {
  const warnings: string[] = [];
  for (const spec of specs) {
    if (spec.execMode !== 'cluster') continue;
    const own = rows.filter((row) => row.name === spec.name);
    if (own.length === 0 || own.some((row) => row.execMode === 'cluster')) continue;
    const hint = hintFor(spec.script.trim());
    warnings.push(
      `${spec.name}: runs as ${own.length} fork instance${own.length === 1 ? '' : 's'}, not in cluster mode: only a Node script shares a port in cluster mode${hint}; fork instances that listen need a port each (--increment-var PORT)`,
    );
  }
  return warnings;
}

/** What to do instead: give `node`'s script itself, or run the script with Node. */
function hintFor(script: string): string {
  const word = script.split(/\s+/)[0]!;
  if (/(^|\/)node$/.test(word))
    return `: give the script itself (velos start ${script.slice(word.length).trim()} -i …)`;
  // before Node 22.6 tsx runs a .ts: with --interpreter node it would not run at all
  if (TYPESCRIPT.test(script))
    return ' (a TypeScript one from Node 22.6, which runs it itself; before, tsx runs it, in fork mode)';
  return ' (or a script run with --interpreter node)';
}
