import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type AlertReceiver, startReceiver } from './alert-receiver.js';
import { cleanupHomes, createHome } from './helpers.js';

/** What one alert test starts from: a home, a webhook receiver and, when given, a config file in the home. */
export interface AlertScenario {
  home: string;
  hook: AlertReceiver;
  /** `app.toml` in the home, written from the text given its receiver's URL. */
  file: string;
}

/**
 * For the alert test files: returns a function that makes a home and a webhook receiver for a test
 * (and writes `app.toml` from `config(hook.url)` when given); both are cleaned up after each test.
 */
export function alertScenarios(): (config?: (hookUrl: string) => string) => Promise<AlertScenario> {
  const receivers: AlertReceiver[] = [];
  afterEach(async () => {
    await cleanupHomes();
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  return async (config) => {
    const home = createHome();
    const hook = await startReceiver();
    receivers.push(hook);
    const file = join(home, 'app.toml');
    if (config) writeFileSync(file, config(hook.url));
    return { home, hook, file };
  };
}
