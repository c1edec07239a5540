import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's Chromium, which the dashboard tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags every dashboard test launches it with. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-dev-shm-usage',
];
/** The built dashboard (`pnpm run build`). */
export const DASHBOARD_BUILD = fileURLToPath(new URL('../../dist/dashboard/index.html', import.meta.url));
/** Whether Chromium is installed here (`.ci/run` installs it on CI). */
export const hasChromium = existsSync(CHROMIUM);
