import { describeTriggered, ErrorCodes, type ProcessInfo, VelosError } from '@velos/core';
import { toAiProcess } from '@velos/core/ai';
import type { CommandContext } from '../context.js';
import { withPm2ActionHint } from '../pm2/action-hint.js';

/**
 * `velos trigger <job…>`: runs each job now, unless a run of it is still going (SUP-8). When no job
 * started a run, the command fails (exit 1) in one line, so `velos trigger backup || …` can tell.
 */
export async function runTrigger(ctx: CommandContext, targets: string[], isForced = false): Promise<void> {
  const client = await ctx.client();
  const runsBefore = new Map((await client.list()).map((p) => [p.id, p.job?.runs ?? 0]));
  const triggered: ProcessInfo[] = [];
  for (const target of targets) {
    triggered.push(
      ...(await (isForced ? client.trigger(target, { force: true }) : client.trigger(target)).catch(
        (error: unknown) => {
          throw withPm2ActionHint(error, targets);
        },
      )),
    );
  }
  const { lines, hasStarted, jobs } = describeTriggered(triggered, runsBefore);
  if (ctx.mode === 'json') {
    ctx.printJson(triggered);
    return;
  }
  if (ctx.mode === 'ai') {
    // tg: what was done to each job, as the MCP tool job_trigger says it
    const done = new Map(jobs.map((job) => [job.id, job.what]));
    ctx.printJson(triggered.map((p) => ({ ...toAiProcess(p), tg: done.get(p.id) })));
    return;
  }
  if (!hasStarted && lines.length > 0) {
    throw new VelosError(ErrorCodes.BUSY, lines.join('; '), {
      data: { names: triggered.map((p) => p.name) },
    });
  }
  ctx.print(lines.join('\n'));
}
