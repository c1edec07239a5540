import type { VelosControl } from '@velos/core';
import { render } from 'ink';
import { MonitApp } from './monit-app.js';
import { createMonitStore } from './monit-store.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/** Runs the dashboard on this terminal until the user quits (q, Ctrl-C); restores the screen after. */
export async function runMonitApp(control: VelosControl): Promise<void> {
  const store = createMonitStore(control);
  process.stdout.write(ENTER_ALT_SCREEN);
  const restore = () => process.stdout.write(LEAVE_ALT_SCREEN);
  process.once('exit', restore);
  store.start();
  const instance = render(<MonitApp store={store} />, {
    maxFps: 10,
    patchConsole: false,
    exitOnCtrlC: true,
  });
  try {
    await instance.waitUntilExit();
  } finally {
    store.stop();
    process.off('exit', restore);
    restore();
  }
}
