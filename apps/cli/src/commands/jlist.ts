import { maskEnv, maskSecrets } from '@velos/core';
import type { CommandContext } from '../context.js';
import type { Pm2Process } from '../pm2/jlist.js';
import { collectPm2List } from '../pm2/jlist-collect.js';

/**
 * `velos jlist` and `velos prettylist` (PM2 drop-in): every process in PM2's JSON shape, on one line
 * (jlist, for scripts) or indented (prettylist); both are valid JSON. Like PM2, it starts the daemon
 * when none runs (and then prints `[]`).
 */
export async function runJlist(
  ctx: CommandContext,
  options: { isPretty: boolean; showSecrets?: boolean },
): Promise<void> {
  const client = await ctx.client();
  const all = await collectPm2List(client, ctx.home);
  // the env blocks (pm2_env.env) and arguments, secret-looking values as `****` unless --show-secrets
  const list = options.showSecrets ? all : all.map(maskPm2Env);
  process.stdout.write(`${JSON.stringify(list, null, options.isPretty ? 2 : undefined)}\n`);
}

function maskPm2Env(entry: Pm2Process): Pm2Process {
  const { env } = entry.pm2_env;
  // args and node_args as `velos describe` masks them (`--token ****`)
  const { args, node_args } = maskSecrets({ args: entry.pm2_env.args, node_args: entry.pm2_env.node_args });
  return {
    ...entry,
    pm2_env: { ...entry.pm2_env, env: maskEnv(env) as Record<string, string>, args, node_args },
  };
}
