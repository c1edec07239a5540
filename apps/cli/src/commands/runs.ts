import type { CommandContext } from '../context.js';
import { renderRunTable, toAiRuns } from '../output/job-runs.js';
import { argumentError } from '../parse-argv.js';

/** Runs shown when `--limit` is not given. */
export const DEFAULT_RUN_LIMIT = 20;

/** `velos runs <job> [--limit N]`: the run history of a job, newest first (SUP-8). */
export async function runRuns(
  ctx: CommandContext,
  target: string,
  limitText: string | undefined,
): Promise<void> {
  const limit = limitText === undefined ? DEFAULT_RUN_LIMIT : parseLimit(limitText);
  const client = await ctx.client();
  const runs = await client.runs(target, limit);
  if (ctx.mode === 'json') ctx.printJson(runs);
  else if (ctx.mode === 'ai') ctx.printJson(toAiRuns(runs, target));
  else ctx.print(renderRunTable(runs, ctx.colors));
}

function parseLimit(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw argumentError(`--limit: expected a whole number, 1 or more, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}
