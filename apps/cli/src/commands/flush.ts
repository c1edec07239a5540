import type { CommandContext } from '../context.js';
import { targetsOf } from '../pm2/regex-targets.js';

/** `velos flush [target]`: empties the log files of the target (a /regex/ of names too; all processes by default). */
export async function runFlush(ctx: CommandContext, target: string | undefined): Promise<void> {
  const client = await ctx.client();
  const flushed =
    target === undefined
      ? await client.flush(undefined)
      : (
          await Promise.all(
            (await targetsOf(target, () => client.list(), 'flush')).map((name) => client.flush(name)),
          )
        ).flat();
  if (ctx.mode !== 'text') ctx.printJson(flushed);
  else
    ctx.print(
      flushed.length === 0 ? 'no log files to flush' : flushed.map((path) => `flushed ${path}`).join('\n'),
    );
}
