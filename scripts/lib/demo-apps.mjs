// The demo's apps: the config file `npm run demo` starts, and how a second run removes what the first left.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './bootstrap.mjs';

/** The config file of the demo apps. */
export const DEMO_CONFIG = join(root, 'fixtures', 'demo', 'velos.toml');

/**
 * Deletes the demo's apps (those DEMO_CONFIG names) from the daemon of `env.VELOS_HOME`, and only them:
 * a VELOS_HOME the user set may hold apps of their own (it ran `velos delete all`). Quiet; a home
 * without them is fine.
 */
export function deleteDemoApps(bin, env) {
  spawnSync(process.execPath, [bin, 'delete', DEMO_CONFIG], { env, stdio: 'ignore' });
}
