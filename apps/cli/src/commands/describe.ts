import { MEMORY_GROWTH_HISTORY, maskSecrets, parseDurationMs } from '@velos/core';
import { AI_HISTORY_POINTS, toAiHistory } from '@velos/core/ai';
import type { CommandContext } from '../context.js';
import { findGrowthsWithoutLimit, isJudged } from '../output/memory-growth.js';
import { renderProcessDetails, toAiDetail } from '../output/process-detail.js';
import { argumentError } from '../parse-argv.js';
import { targetsOf } from '../pm2/regex-targets.js';

/** The window of `--history` without `--since`, and the longest the daemon keeps. */
const HISTORY_DEFAULT_MS = 60 * 60 * 1000;
const HISTORY_MAX_MS = 24 * 60 * 60 * 1000;

/** `velos describe <target>` (a /regex/ of names too): spec, command, log paths and counters, peaks, restarts and last exit. */
export async function runDescribe(
  ctx: CommandContext,
  target: string,
  options: { history?: boolean; since?: string | boolean } = {},
): Promise<void> {
  if (options.history || options.since !== undefined) return describeHistory(ctx, target, options.since);
  const client = await ctx.client();
  const targets = await targetsOf(target, () => client.list(), 'describe');
  const details = (await Promise.all(targets.map((name) => client.describe(name)))).flat();
  // OBS-7: memory that keeps growing without max_memory, from the metrics history (asked only when a
  // process could be judged; a daemon that cannot answer leaves the flag out)
  const histories = details.some(isJudged)
    ? (
        await Promise.all(
          targets.map((name) => client.metricsHistory({ target: name, ...MEMORY_GROWTH_HISTORY })),
        ).catch(() => [])
      ).flat()
    : [];
  const growths = findGrowthsWithoutLimit(details, histories);
  // env values are not in a detail; an env.KEY set by `config set` is, in spec.source.overrides, and a
  // probe's headers and URL are
  if (ctx.mode === 'json') {
    ctx.printJson(
      maskSecrets(details).map((d) => (growths.has(d.id) ? { ...d, memoryGrowth: growths.get(d.id) } : d)),
    );
  } else if (ctx.mode === 'ai') {
    ctx.printJson(details.map((d) => toAiDetail(d, growths.get(d.id))));
  } else ctx.print(renderProcessDetails(maskSecrets(details), ctx.colors, Date.now(), growths));
}

/**
 * OBS-7 `--history [--since D]`: sparklines of the last hour (or D, at most 24 h); `--json` the raw columns,
 * `--ai` the answer of MCP's `metrics_history`.
 */
async function describeHistory(ctx: CommandContext, target: string, since: string | boolean | undefined) {
  const sinceMs = historyWindowMs(since);
  const { renderHistory, SPARK_POINTS } = await import('../output/history.js');
  const client = await ctx.client();
  const targets = await targetsOf(target, () => client.list(), 'describe');
  const historiesOf = async (points?: number) =>
    (
      await Promise.all(
        targets.map((name) =>
          client.metricsHistory({ target: name, sinceMs, ...(points === undefined ? {} : { points }) }),
        ),
      )
    ).flat();
  if (ctx.mode === 'json') {
    ctx.printJson(await historiesOf());
    return;
  }
  if (ctx.mode === 'ai') {
    // the answer of the MCP tool metrics_history for the same window (docs/ai-output.md)
    ctx.printJson((await historiesOf(AI_HISTORY_POINTS)).map((history) => toAiHistory(history)));
    return;
  }
  ctx.print(renderHistory(await historiesOf(SPARK_POINTS), sinceMs, ctx.colors));
}

/**
 * The window of `--history --since D` in ms: 1h without D, at most 24h; a unit is required (`10` was
 * read as 10 ms and answered "no history … not running since" for a running process).
 */
export function historyWindowMs(since: string | boolean | undefined): number {
  if (since === undefined) return HISTORY_DEFAULT_MS;
  if (typeof since === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(since)) {
    throw argumentError(`--since: add a unit to ${JSON.stringify(since.trim())}: s, m or h (e.g. 30m)`);
  }
  const sinceMs = parseDurationMs(since);
  if (sinceMs === null || sinceMs <= 0 || sinceMs > HISTORY_MAX_MS) {
    throw argumentError(
      `--since: expected a duration up to 24h like 30m, 1h or 24h, got ${JSON.stringify(since)}`,
    );
  }
  return sinceMs;
}
