import { ErrorCodes, instanceEnv, maskEnv, VelosError } from '@velos/core';
import { toAiEnv } from '@velos/core/ai';
import type { CommandContext } from '../context.js';
import { targetsOf } from '../pm2/regex-targets.js';

/**
 * `velos env <target>` (PM2 drop-in): the environment a process runs with (its app's env and the
 * identity variables Velos adds), one `KEY: value` line each as PM2 prints it; a name shows its
 * first process. `--json` prints the object, `--ai` the process's id and name with it on one line
 * (`{i, n, env}`). Secret-looking values print as `****` unless `showSecrets`, in every form.
 * `all` with no process is not found, as a name that matches nothing.
 */
export async function runEnv(ctx: CommandContext, target: string, showSecrets = false): Promise<void> {
  const client = await ctx.client();
  // a /regex/ shows the first process of the first app it matches, as a name shows its first process
  const [first] = await targetsOf(target, () => client.list(), 'env');
  const process0 = (await client.describe(first ?? target))[0];
  if (process0 === undefined)
    throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}': there are none`, {
      data: { target },
    });
  const spec = await client.configGet(process0.name);
  const all = { ...instanceEnv(spec, process0), VELOS_HOME: ctx.home };
  const env = showSecrets ? all : maskEnv(all);
  if (ctx.mode === 'ai') ctx.printJson(toAiEnv(process0, env));
  else if (ctx.mode === 'json') ctx.printJson(env);
  else
    ctx.print(
      Object.entries(env)
        .map(([key, value]) => `${key}: ${value}`)
        .join('\n'),
    );
}
