import type { VelosControl } from './control.js';
import { matchTarget } from './target-match.js';

/** A variable a restart's `env` would change that an app's own env sets to another value. */
export interface OwnEnvOverride {
  /** The app whose own env sets it. */
  name: string;
  /** The variable. */
  key: string;
}

/**
 * The first app `target` selects whose own env (a config file's, `process_start`'s) sets a variable
 * of a restart's or reload's `env` to another value, which would win over it; null when none does.
 * REST and MCP refuse such a restart before it is sent, each naming its own way to change the app's
 * env (`PUT /config`, `config_set`).
 */
export async function findOwnEnvOverride(
  control: Pick<VelosControl, 'list' | 'configGet'>,
  target: string,
  env: Record<string, string>,
): Promise<OwnEnvOverride | null> {
  const listed = await control.list();
  const names = [...new Set(matchTarget(listed, target, (p) => p).map((p) => p.name))];
  for (const name of names) {
    const own = (await control.configGet(name).catch(() => null))?.ownEnv ?? {};
    const key = Object.keys(env).find((each) => Object.hasOwn(own, each) && own[each] !== env[each]);
    if (key !== undefined) return { name, key };
  }
  return null;
}
