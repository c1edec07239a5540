import type { ProcessInfo } from '@velos/core';
import { type ActedOn, printProcesses } from './commands/print-processes.js';
import { type CommandContext, type OutputMode, terminalColumns } from './context.js';
import type { Colors } from './output/colors.js';
import { isStdoutTTY, switchToStreams, writeStdout } from './quick-stdout.js';

/**
 * How the quick paths print (issue 17), loaded by them with `import()` once their request is on its way
 * to the daemon, so that loading it overlaps the daemon's work.
 */

/** Prints a process list in `mode`, as `printProcesses` does with the full CLI's context. */
export async function printProcessList(
  mode: OutputMode,
  processes: ProcessInfo[],
  acted?: ActedOn,
): Promise<void> {
  const isTTY = isStdoutTTY();
  // `--ai` of a command's answer may say `others: N` on stderr: the exit then waits for it
  if (mode === 'ai' && acted !== undefined) switchToStreams();
  const colors = mode === 'text' ? await textColors(isTTY) : null;
  printProcesses(printingContext(mode, isTTY, colors), processes, acted);
}

/**
 * The colours of the text table, loaded for it only: the JSON forms print none, and setting up the colour
 * library's module was ~0.8 ms of a `velos list --json`.
 */
async function textColors(isTTY: boolean): Promise<Colors> {
  const { createColors, isColorWanted } = await import('./output/colors.js');
  return createColors(isColorWanted({ isTTY }, process.env));
}

/**
 * The printing part of `createContext` (context.ts): without its `client()`, whose lazy import of the
 * full client (and the protocol's command table) the bundler would otherwise put in the quick bundles;
 * `colors` is null for the JSON forms (which read none). Stdout is written as quick-stdout.ts does.
 * test/e2e/quick-list.test.ts and start-quick.test.ts compare the output with the full CLI's.
 */
function printingContext(mode: OutputMode, isTTY: boolean, colors: Colors | null): CommandContext {
  const write = writeStdout;
  return {
    home: '',
    mode,
    isTTY,
    // a terminal's stdout is process.stdout, which writes the table anyway (quick-stdout.ts)
    ...(isTTY ? terminalColumns(process.stdout) : {}),
    get colors(): Colors {
      if (colors === null) throw new Error('the JSON forms print no colours');
      return colors;
    },
    print: (text) => write(`${text}\n`),
    printJson: (value) => write(`${JSON.stringify(value, null, isTTY && mode === 'json' ? 2 : undefined)}\n`),
    client: () => Promise.reject(new Error('the quick paths talk to the daemon through runQuick')),
    dispose: () => Promise.resolve(),
  };
}
