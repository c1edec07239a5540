import type { ProcessInfo, VelosControl } from '@velos/core';
import { render } from 'ink';
import { MonitApp } from './monit-app.js';
import { createMonitStore } from './monit-store.js';
import { CLEAR_SCREEN } from './splash.js';

/** Longest wait for the first answers before the first frame is drawn anyway. */
const FIRST_FRAME_WAIT_MS = 2000;

/** Options of `runMonitApp`. */
export interface RunMonitOptions {
  /** Called once ink's first frame is on the terminal (commands/monit.ts saves the code cache then). */
  onFirstFrame?: () => void;
}

/**
 * Runs the dashboard on this terminal (already on its alternate screen) until the user quits (q,
 * Ctrl-C); `processes` is the list the splash showed, shown until the first poll answers.
 */
export async function runMonitApp(
  control: VelosControl,
  processes: ProcessInfo[] | null = null,
  options: RunMonitOptions = {},
): Promise<void> {
  const store = createMonitStore(control, { initialProcesses: processes });
  store.start();
  // Without the splash's list (a daemon slow to answer), wait a little for the first answers rather
  // than draw an empty table first.
  if (processes === null) {
    await Promise.race([
      store.ready(),
      new Promise((resolve) => setTimeout(resolve, FIRST_FRAME_WAIT_MS).unref()),
    ]);
  }
  // The clear and ink's first frame leave in the same turn: the splash is replaced, not blanked.
  process.stdout.write(CLEAR_SCREEN);
  const instance = render(<MonitApp store={store} />, {
    maxFps: 10,
    patchConsole: false,
    exitOnCtrlC: true,
  });
  // ink draws the first frame synchronously: it is on the terminal by now
  options.onFirstFrame?.();
  try {
    await instance.waitUntilExit();
  } finally {
    store.stop();
  }
}
