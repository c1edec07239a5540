import {
  COMPONENT_LIMITS,
  COMPONENT_NAME,
  COMPONENT_STATUSES,
  type ComponentReportRequest,
  type ComponentStatus,
  parseDurationMs,
} from '@velos/core';
import { toAiComponents } from '@velos/core/ai';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { renderComponentTable } from '../output/component-list.js';
import { usageError } from '../parse-argv.js';

const REPORT_OPTIONS = ['interval', 'status', 'message', 'app'] as const;

/** `velos components [list|report|remove] …`: the outside components, a heartbeat, or a removal (OBS-2). */
export async function runComponents(ctx: CommandContext, input: CommandInput): Promise<void> {
  const [action = 'list', name] = input.args;
  if (action === 'report') {
    const component = await (await ctx.client()).reportComponent(reportRequest(name, input.options));
    if (ctx.mode === 'json') ctx.printJson(component);
    else if (ctx.mode === 'ai') ctx.printJson(toAiComponents([component])[0]);
    else ctx.print(`reported ${component.name}: ${component.status}`);
    return;
  }
  for (const option of REPORT_OPTIONS) {
    if (input.options[option] !== undefined)
      throw usageError(`--${option} is an option of velos components report`, 'components');
  }
  if (action === 'remove' || action === 'rm') {
    if (name === undefined) throw usageError('velos components remove needs <name>', 'components');
    const removed = await (await ctx.client()).removeComponent(name);
    if (ctx.mode === 'text') ctx.print(`removed component ${removed.name}`);
    else ctx.printJson(ctx.mode === 'ai' ? toAiComponents([removed])[0] : removed);
    return;
  }
  if (action !== 'list' && action !== 'ls') {
    throw usageError(
      `unknown action ${JSON.stringify(action)} (expected list, report or remove)`,
      'components',
    );
  }
  if (name !== undefined) throw usageError(`unexpected argument "${name}"`, 'components');
  const components = await (await ctx.client()).components();
  if (ctx.mode === 'json') ctx.printJson(components);
  else if (ctx.mode === 'ai') ctx.printJson(toAiComponents(components));
  else ctx.print(renderComponentTable(components, ctx.colors));
}

/** The request of `components report <name> --interval D --status S [--message m] [--app a]`. */
export function reportRequest(
  name: string | undefined,
  options: CommandInput['options'],
): ComponentReportRequest {
  if (name === undefined) throw usageError('velos components report needs <name>', 'components');
  if (!COMPONENT_NAME.test(name)) {
    throw usageError(
      `component name ${JSON.stringify(name.slice(0, 100))}: expected 1-64 letters, digits or _ . : -`,
      'components',
    );
  }
  const interval = options.interval;
  if (typeof interval !== 'string') throw usageError('--interval is required: 30s, 5m, 1h…', 'components');
  // a bare number would be ms to the parser and seconds to many a script: ask for the unit
  const intervalMs = /[a-z]\s*$/i.test(interval) ? parseDurationMs(interval) : null;
  if (
    intervalMs === null ||
    intervalMs < COMPONENT_LIMITS.minIntervalMs ||
    intervalMs > COMPONENT_LIMITS.maxIntervalMs
  ) {
    throw usageError(
      `--interval: expected a duration with its unit from 1s to 24h (30s, 5m, 1h), got ${JSON.stringify(interval)}`,
      'components',
    );
  }
  const status = options.status;
  if (typeof status !== 'string' || !COMPONENT_STATUSES.includes(status as ComponentStatus)) {
    throw usageError(
      `--status: expected ${COMPONENT_STATUSES.join(', ')}, got ${JSON.stringify(status ?? null)}`,
      'components',
    );
  }
  return {
    name,
    intervalMs,
    status: status as ComponentStatus,
    ...(typeof options.message === 'string' ? { message: options.message } : {}),
    ...(typeof options.app === 'string' ? { app: options.app } : {}),
  };
}
