import type { ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';
import { renderProcessTable, toAiProcessList } from '../output/process-list.js';

/** Prints a process list in the context's mode: table (fitting a terminal's width), full JSON or `--ai`. */
export function printProcesses(ctx: CommandContext, processes: ProcessInfo[]): void {
  if (ctx.mode === 'json') ctx.printJson(processes);
  else if (ctx.mode === 'ai') ctx.printJson(toAiProcessList(processes));
  else ctx.print(renderProcessTable(processes, ctx.colors, Date.now(), ctx.columns));
}
