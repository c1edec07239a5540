import type { ProcessInfo } from '@velos/core';
import { printProcesses } from './commands/print-processes.js';
import type { CommandContext, OutputMode } from './context.js';
import { createColors, isColorWanted } from './output/colors.js';

/**
 * How the quick paths print (issue 17), loaded by them with `import()` once their request is on its way
 * to the daemon, so that loading it overlaps the daemon's work.
 */

/** Prints a process list in `mode`, as `printProcesses` does with the full CLI's context. */
export function printProcessList(mode: OutputMode, processes: ProcessInfo[]): void {
  printProcesses(printingContext(mode), processes);
}

/**
 * The printing part of `createContext` (context.ts): without its `client()`, whose lazy import of the
 * full client (and the protocol's command table) the bundler would otherwise put in the quick bundles.
 * test/e2e/quick-paths.test.ts compares the output with the full CLI's.
 */
function printingContext(mode: OutputMode): CommandContext {
  const isTTY = process.stdout.isTTY === true;
  const write = (text: string): void => {
    process.stdout.write(text);
  };
  return {
    home: '',
    mode,
    isTTY,
    colors: createColors(mode === 'text' && isColorWanted(process.stdout, process.env)),
    print: (text) => write(`${text}\n`),
    printJson: (value) => write(`${JSON.stringify(value, null, isTTY && mode === 'json' ? 2 : undefined)}\n`),
    client: () => Promise.reject(new Error('the quick paths talk to the daemon through runQuick')),
    dispose: () => Promise.resolve(),
  };
}
