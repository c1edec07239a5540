import { inspect } from 'node:util';
import { normalizeAppName, type ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';

/** `velos id <name>` (PM2 drop-in): the ids of the app's processes, printed as PM2 prints them (`[ 0, 1 ]`); `[]` for none. */
export async function runId(ctx: CommandContext, name: string): Promise<void> {
  const client = await ctx.client();
  const ids = idsOfApp(await client.list(), name);
  if (ctx.mode === 'text') ctx.print(inspect(ids));
  else ctx.printJson(ids);
}

/** The ids of the processes of the app `name`, in the spelling names have (NFC), as every target is matched. */
export function idsOfApp(processes: readonly ProcessInfo[], name: string): number[] {
  const wanted = normalizeAppName(name);
  return processes.filter((info) => info.name === wanted).map((info) => info.id);
}
