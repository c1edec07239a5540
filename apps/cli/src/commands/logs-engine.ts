import {
  formatBytes,
  type LogLevelName,
  type LogsAnalyzeRequest,
  type LogsQuery,
  type LogsSearchCut,
  type LogsSearchRequest,
  type LogsSearchResult,
  parseDurationMs,
  parseTimeBound,
  renameField,
  timeBoundProblem,
  type VelosControl,
  VelosError,
} from '@velos/core';
import { linesNameApp, toAiLogSummary, toAiLogView } from '@velos/core/ai';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { hasEscapes, loadAnsiStripper, toPlainAiLogLine } from '../output/ai-log-lines.js';
import { escapeControlChars, formatLogLine, type LogLineFormat } from '../output/log-line.js';
import { argumentError, USAGE_EXIT_CODE } from '../parse-argv.js';
import { formatKeyValueLine } from '../pm2/log-format.js';
import { type LineStamp, missingFileNotice, rawBytes, timestampOf } from './logs.js';

const VIEWS = ['summary', 'patterns', 'dedupe', 'anomalies'] as const;
const LEVELS: readonly LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug'];
/** Other names of the levels, as logs write them (pino's `trace`, `warning`…): the engine reads them so. */
const LEVEL_ALIASES: Readonly<Record<string, LogLevelName>> = {
  trace: 'debug',
  verbose: 'debug',
  warning: 'warn',
  err: 'error',
  critical: 'fatal',
};
const FILTERS = ['level', 'grep', 'since', 'until'] as const;
/** Flags that shape printed lines (PM2's `--timestamp` and `--format`): a view prints no lines. */
const LINE_FLAGS = ['timestamp', 'format'] as const;
/** The flags of the payload fields the daemon's errors may name (`grep: invalid …` is `--grep: invalid …`). */
const FLAG_OF_FIELD = {
  grep: '--grep',
  level: '--level',
  since: '--since',
  until: '--until',
  limit: '--limit',
  periodMs: '--period',
} as const;

/** The target that reads the log engine's lines from stdin (ENG-8: `cat app.log | velos logs --summary -`). */
const STDIN = '-';
/** The target of a search or a view without one: every app. */
const ALL = 'all';

/** True when `velos logs` was given a flag of the log engine (a view or a filter), or `-` (stdin). */
export function usesLogEngine(input: CommandInput): boolean {
  return (
    input.args[0] === STDIN ||
    // --rules and -i go with the engine only: there they are refused when out of place, not ignored
    [...VIEWS, ...FILTERS, 'period', 'rules', 'ignore-case'].some((flag) => input.options[flag] !== undefined)
  );
}

/**
 * `velos logs [target] --summary|--patterns|--dedupe|--anomalies` (the daemon's `logs.analyze`) and
 * `velos logs [target] --level/--grep/--since/--until` (`logs.search`): the log engine on the captured
 * files (rotated ones included) of one app, or of every app the target selects (all of them without
 * one), their lines merged by time; text, `--json` (the whole answer) or `--ai` (compact).
 */
export async function runLogsEngine(ctx: CommandContext, input: CommandInput): Promise<void> {
  const views = VIEWS.filter((view) => input.options[view] === true);
  if (views.length > 1)
    throw invalid(`choose one of --${VIEWS.join(', --')}, got --${views.join(' and --')}`);
  // a search or a view without a target reads every app, as plain `velos logs` shows every app's lines
  const target = input.args[0] ?? ALL;
  if (input.options.follow) throw invalid(followProblem(input, target));
  const query = queryOf(target, input);
  const view = views[0];
  if (view === undefined && input.options.period !== undefined)
    throw invalid('--period goes with --summary, --patterns, --dedupe or --anomalies');
  // --period 1h is --since 1h: with --since too, one of them was silently dropped
  if (input.options.period !== undefined && input.options.since !== undefined)
    throw invalid('--period 1h is --since 1h: give one of them, not both');
  // a view prints an analysis, not lines: the flags that shape lines would be ignored
  const lineFlags = LINE_FLAGS.filter((flag) => input.options[flag] !== undefined);
  if (view !== undefined && lineFlags.length > 0)
    throw invalid(
      `--${lineFlags.join(' and --')} ${lineFlags.length === 1 ? 'goes' : 'go'} with lines (a tail or a search: --grep, --level, --since, --until), not with --${view}`,
    );
  if (input.options['ignore-case'] === true && input.options.grep === undefined)
    throw invalid('-i/--ignore-case goes with --grep');
  // a search's --timestamp, checked (and its letters that stay as text warned of) before anything is read
  const stamp = await timestampOf(input);
  const rules = input.options.rules as string | undefined;
  if (rules !== undefined && target !== STDIN)
    throw invalid(
      `--rules goes with - (stdin): an app's lines are classified with its own log_rules (velos config set ${target} log_rules …)`,
    );
  if (target === STDIN) {
    if (view === undefined && !FILTERS.some((flag) => input.options[flag] !== undefined))
      throw invalid(
        `velos logs - reads stdin for the log engine: add --${VIEWS.join(', --')}, or --${FILTERS.join(', --')}`,
      );
    if (process.stdin.isTTY)
      throw invalid('velos logs -: stdin is a terminal; pipe the lines in (cat app.log | …)');
    const { stdinLogEngine } = await import('./logs-stdin.js');
    const local = await stdinLogEngine(process.stdin, rules);
    try {
      await answer(ctx, input, local, query, view, stamp);
    } finally {
      local.close();
    }
    return;
  }
  await answer(ctx, input, await ctx.client(), query, view, stamp);
}

/**
 * Why `--follow` is refused with the engine's flags (a search or a view reads the files once): the flags
 * given, and for --grep or --level how to follow only the matching lines.
 */
function followProblem(input: CommandInput, target: string): string {
  const flags = [...VIEWS, ...FILTERS, 'period']
    .filter((flag) => input.options[flag] !== undefined)
    .map((flag) => `--${flag}`);
  const given = flags.length > 0 ? flags.join(', ') : 'the log engine flags';
  const why = `--follow cannot be combined with ${given} (a search or a view reads the log files once)`;
  if (input.options.grep === undefined && input.options.level === undefined) return why;
  return `${why}; to follow only matching lines: velos logs ${target === ALL ? '' : `${target} `}-f | grep --line-buffered …`;
}

/** Runs the view (or the search without one) on `client`'s log engine and prints its answer. */
async function answer(
  ctx: CommandContext,
  input: CommandInput,
  client: Pick<VelosControl, 'analyzeLogs' | 'searchLogs'>,
  query: LogsQuery,
  view: (typeof VIEWS)[number] | undefined,
  stamp: LineStamp | null,
): Promise<void> {
  if (view === undefined) {
    const search: LogsSearchRequest = { ...query };
    // --raw prints the bytes an app wrote that are not valid UTF-8 as they are, as plain `velos logs` does
    if (ctx.mode === 'text' && input.options.raw === true && input.options.format !== true)
      search.withBytes = true;
    const result = await client.searchLogs(search).catch(asFlagError);
    await printSearch(ctx, input, result, stamp);
    return;
  }
  const request: LogsAnalyzeRequest = { ...query, view };
  if (input.options.period !== undefined) request.periodMs = durationOf('--period', input.options.period);
  const result = await client.analyzeLogs(request).catch(asFlagError);
  if (ctx.mode === 'json') ctx.printJson(result);
  else if (ctx.mode === 'ai') {
    // the summary the MCP tool log_summary gives (`per` says its window: `all` without --period,
    // where log_summary's default is 1h); the other views in its keys (a pattern as a `top` template)
    const window = windowOf(request);
    ctx.printJson(view === 'summary' ? toAiLogSummary(result, window) : toAiLogView(result, window));
  } else {
    // the text quotes the app's lines: on a terminal their control characters are escaped, as `velos logs` does
    ctx.print(ctx.isTTY && input.options.raw !== true ? escapeText(result.text) : result.text);
    for (const path of result.missingFiles ?? []) process.stderr.write(missingFileNotice(path));
  }
}

/** The window of a view: its `--period`, `all` with no time bound, none for a `--since`/`--until` range. */
function windowOf(request: LogsAnalyzeRequest): number | 'all' | undefined {
  if (request.periodMs !== undefined) return request.periodMs;
  return request.since === undefined && request.until === undefined ? 'all' : undefined;
}

/**
 * Rethrows a daemon error about a payload field as one about the flag that gave it: a bad command
 * line, so exit 2 as for a flag the CLI refuses itself.
 */
function asFlagError(error: unknown): never {
  const renamed = renameField(error, FLAG_OF_FIELD);
  if (renamed === error) throw error;
  const { code, message, data } = renamed as VelosError;
  throw new VelosError(code, message, {
    data: { ...(data as object), exitCode: USAGE_EXIT_CODE },
    cause: error,
  });
}

/** `text` with the control characters of each of its lines escaped (its newlines kept). */
function escapeText(text: string): string {
  return text.split('\n').map(escapeControlChars).join('\n');
}

function queryOf(target: string, input: CommandInput): LogsQuery {
  const o = input.options;
  const query: LogsQuery = { target };
  if (o.level !== undefined) {
    const name = typeof o.level === 'string' ? o.level.toLowerCase() : '';
    const level = LEVELS.includes(name as LogLevelName)
      ? (name as LogLevelName)
      : Object.hasOwn(LEVEL_ALIASES, name)
        ? LEVEL_ALIASES[name]
        : undefined;
    if (level === undefined) {
      throw invalid(
        `--level: expected one of ${LEVELS.join(', ')} (or trace, warning, critical), got ${JSON.stringify(o.level)}`,
      );
    }
    query.level = level;
  }
  if (typeof o.grep === 'string') query.grep = o.grep;
  if (o['ignore-case'] === true) query.ignoreCase = true;
  if (o.since !== undefined) query.since = timeOf('--since', o.since);
  if (o.until !== undefined) query.until = timeOf('--until', o.until);
  if (o.err && !o.out) query.stream = 'err';
  else if (o.out && !o.err) query.stream = 'out';
  const limit = o.limit ?? o.lines;
  if (limit !== undefined) {
    if (typeof limit !== 'string' || !/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100_000) {
      const flag = o.limit === undefined ? '--lines' : '--limit';
      throw invalid(`${flag}: expected a whole number from 1 to 100000, got ${JSON.stringify(limit)}`);
    }
    query.limit = Number(limit);
  }
  return query;
}

/** `10m`, `2h`, `1d` ago, or an ISO date and time (a bare number has no unit: refused). */
function timeOf(flag: string, value: string | boolean): number {
  const at = typeof value === 'string' ? parseTimeBound(value, Date.now()) : null;
  if (typeof at !== 'number') throw invalid(timeBoundProblem(flag, String(value)));
  return at;
}

function durationOf(flag: string, value: string | boolean): number {
  // a bare number would be milliseconds, as in a config file; here a unit says what was meant
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))
    throw invalid(`${flag}: add a unit to ${JSON.stringify(value.trim())}: s, m, h or d (e.g. 1h)`);
  const ms = typeof value === 'string' ? parseDurationMs(value) : null;
  if (ms === null || ms <= 0)
    throw invalid(`${flag}: expected a duration like 30m, 1h or 1d, got ${JSON.stringify(value)}`);
  return ms;
}

async function printSearch(
  ctx: CommandContext,
  input: CommandInput,
  result: LogsSearchResult,
  lineStamp: LineStamp | null,
): Promise<void> {
  if (ctx.mode === 'ai') {
    // as plain `velos logs --ai`: each line names its app unless the target names one app
    const withApp = linesNameApp(input.args[0], result.lines);
    const strip = hasEscapes(result.lines) ? await loadAnsiStripper() : undefined;
    ctx.printJson({
      lines: result.lines.map((line) => toPlainAiLogLine(line, withApp, strip)),
      scanned: result.scanned.lines,
      ...(result.cut ? { omitted: result.cut.omittedLines } : {}),
      ...(result.scanned.isPartial ? { partial: true } : {}),
      ...(result.missingFiles ? { missing: result.missingFiles } : {}),
    });
    return;
  }
  // as plain `velos logs`: --raw prints the bare lines (unescaped), --timestamp puts the time first,
  // --format prints PM2's key=value lines
  const isRaw = input.options.raw === true;
  const format: LogLineFormat = ctx.mode === 'json' ? 'json' : isRaw ? 'raw' : 'prefixed';
  const isEscaped = ctx.isTTY && !isRaw;
  const stamp = format === 'json' ? null : lineStamp;
  const isKeyValue = input.options.format === true && format !== 'json';
  if (result.lines.length > 0) {
    const texts = result.lines.map((line) => {
      if (isKeyValue) return formatKeyValueLine(line, stamp, isEscaped);
      const formatted = formatLogLine(line, format, ctx.colors, isEscaped);
      return stamp ? `${stamp.format(line.ts)} ${formatted}` : formatted;
    });
    if (format === 'raw' && !isKeyValue && result.lines.some((line) => line.bytes !== undefined)) {
      process.stdout.write(rawBytes(result.lines, texts, stamp));
    } else process.stdout.write(`${texts.join('\n')}\n`);
  }
  if (ctx.mode === 'json') return;
  // matches are spread over the files: a `tail` of them would print other lines, so the notice says
  // how to see more matches (a larger limit, or a narrower search when the answer's bytes cut it)
  if (result.cut) process.stderr.write(searchCutNotice(result.cut, limitFlagOf(input)));
  if (result.scanned.isPartial)
    process.stderr.write('velos logs: the 10 s time budget ran out: older lines were not searched\n');
  for (const path of result.missingFiles ?? []) process.stderr.write(missingFileNotice(path));
}

/**
 * The stderr line of a search that left older matches out: how many at least (a search stops reading
 * older files once they cannot hold newer matches, so their matches are not counted), and how to see
 * them (`flag`, the option that set the number of matches: `--lines` when that is the one the command
 * line gave).
 */
export function searchCutNotice(cut: LogsSearchCut, flag: '--limit' | '--lines' = '--limit'): string {
  const n = cut.omittedLines;
  const how =
    cut.maxBytes === undefined
      ? `a larger ${flag} shows more`
      : `an answer holds at most ${formatBytes(cut.maxBytes)} of lines: narrow the search with --since, --until or --grep`;
  return `velos logs: the newest matches are shown: at least ${n} older match${n === 1 ? '' : 'es'} left out (${how})\n`;
}

/** The flag that sets how many matches a search prints: `--lines` when given without `--limit`. */
function limitFlagOf(input: CommandInput): '--limit' | '--lines' {
  return input.options.limit === undefined && input.options.lines !== undefined ? '--lines' : '--limit';
}

function invalid(message: string): VelosError {
  return argumentError(message);
}
