import { type CommandContext, printWarnings } from '../context.js';
import { printProcesses } from './print-processes.js';

/**
 * `velos save`: writes the process list to the daemon's state file, for `velos resurrect`. With no
 * process listed the daemon refuses it and keeps the file (a save before a resurrect would wipe the
 * list) unless `--force`, as PM2 does.
 */
export async function runSave(ctx: CommandContext, isForced = false): Promise<void> {
  const client = await ctx.client();
  const saved = await client.save(isForced ? { force: true } : {});
  if (ctx.mode !== 'text') ctx.printJson(saved);
  else ctx.print(`saved ${saved.count} ${saved.count === 1 ? 'process' : 'processes'} to ${saved.path}`);
}

/** `velos resurrect`: starts the apps of the last `velos save`, then prints the list. */
export async function runResurrect(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const { warnings, skipped } = await client.resurrect();
  printWarnings(warnings);
  if (skipped && skipped.length > 0) {
    const line = skippedLine(skipped);
    if (ctx.mode === 'text') ctx.print(line);
    else process.stderr.write(`velos: ${line}\n`);
  }
  printProcesses(ctx, await client.list());
}

/** Names shown in full on the line of apps a resurrect left alone; the rest are counted. */
const MAX_SKIPPED_NAMES = 10;

/** The one line of the saved apps a resurrect left alone because an app of their name is listed. */
export function skippedLine(skipped: string[]): string {
  const shown = skipped.slice(0, MAX_SKIPPED_NAMES).join(', ');
  const more = skipped.length > MAX_SKIPPED_NAMES ? ` and ${skipped.length - MAX_SKIPPED_NAMES} more` : '';
  const apps = skipped.length === 1 ? '1 saved app is' : `${skipped.length} saved apps are`;
  return `${apps} listed already, left as ${skipped.length === 1 ? 'it is' : 'they are'}: ${shown}${more}`;
}
