import type { ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';
import { renderProcessTable, toAiProcessList } from '../output/process-list.js';

/** The processes a command acted on: by the rows the daemon answered, or by app name (a start). */
export interface ActedOn {
  processes?: readonly ProcessInfo[];
  names?: ReadonlySet<string>;
}

/**
 * Prints a process list in the context's mode: table (fitting a terminal's width), full JSON or `--ai`.
 * With `acted`, the answer of a command that acted on some of them: the table and `--json` are the whole
 * list, `--ai` only the processes acted on (in their state in `processes`; a deleted one as the daemon
 * answered it), as the MCP tools answer, and `others: N` on stderr for the rest.
 */
export function printProcesses(ctx: CommandContext, processes: ProcessInfo[], acted?: ActedOn): void {
  if (ctx.mode === 'json') ctx.printJson(processes);
  else if (ctx.mode === 'ai') printAi(ctx, processes, acted);
  else ctx.print(renderProcessTable(processes, ctx.colors, Date.now(), ctx.columns));
}

function printAi(ctx: CommandContext, processes: ProcessInfo[], acted: ActedOn | undefined): void {
  if (acted === undefined) {
    ctx.printJson(toAiProcessList(processes));
    return;
  }
  const ids = new Set((acted.processes ?? []).map((p) => p.id));
  const isActed = (p: ProcessInfo) => ids.has(p.id) || acted.names?.has(p.name) === true;
  const rows = processes.filter(isActed);
  const listedIds = new Set(processes.map((p) => p.id));
  // a deleted process is in no list any more: the daemon's answer is its last word
  const gone = (acted.processes ?? []).filter(
    (p, i, all) => !listedIds.has(p.id) && all.findIndex((q) => q.id === p.id) === i,
  );
  ctx.printJson(toAiProcessList([...rows, ...gone]));
  const others = processes.length - rows.length;
  if (others > 0) process.stderr.write(`velos: others: ${others} (velos list --ai lists them)\n`);
}
