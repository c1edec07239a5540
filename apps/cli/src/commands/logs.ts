import type { VelosClient } from '@velos/client';
import { dateFormatTokensProblem, type LogLine, type LogsRequest } from '@velos/core';
import { linesNameApp } from '@velos/core/ai';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, printWarnings } from '../context.js';
import { createLogResume } from '../follow/log-resume.js';
import { lossNotices } from '../follow/loss-notices.js';
import { followResumably } from '../follow/resumable-follow.js';
import { type AnsiStripper, hasEscapes, loadAnsiStripper, toPlainAiLogLine } from '../output/ai-log-lines.js';
import {
  escapeControlChars,
  formatLogLine,
  formatLogsCut,
  formatUnattributed,
  type LogLineFormat,
} from '../output/log-line.js';
import { NO_PROCESSES } from '../output/process-list.js';
import { writeStdout } from '../output/stdout-drain.js';
import { argumentError, usageError } from '../parse-argv.js';
import { formatKeyValueLine } from '../pm2/log-format.js';
import { withLeftLogFiles } from './logs-deleted.js';

/** Lines `velos logs` shows when `--lines` is not given. */
export const DEFAULT_LOG_LINES = 15;

/** PM2's `--timestamp` format when none is given. */
export const DEFAULT_TIMESTAMP_FORMAT = 'YYYY-MM-DD-HH:mm:ss';

/**
 * `velos logs [target]`: the last lines (ring buffer, then files), then new ones with `--follow`. On a
 * terminal the apps' control characters are escaped unless `--raw`; an answer cut at the daemon's byte
 * limit is printed with a notice on stderr naming the files that hold the rest. PM2's flags:
 * `--timestamp[=format]` prefixes each text line with its time, `--format` prints key=value lines,
 * `--nostream` changes nothing (Velos follows only with `--follow`; PM2 unless told `--nostream`).
 */
export async function runLogs(ctx: CommandContext, input: CommandInput): Promise<void> {
  try {
    await runLogsOf(ctx, input);
  } catch (error) {
    throw withLeftLogFiles(error, ctx.home, input.args[0]);
  }
}

async function runLogsOf(ctx: CommandContext, input: CommandInput): Promise<void> {
  const engine = await import('./logs-engine.js');
  if (engine.usesLogEngine(input)) return engine.runLogsEngine(ctx, input);
  const request = logsRequest(input);
  const isRaw = input.options.raw === true;
  const format: LogLineFormat = ctx.mode !== 'text' ? 'json' : isRaw ? 'raw' : 'prefixed';
  const isEscaped = ctx.isTTY && !isRaw;
  const stamp = await timestampOf(input);
  const isKeyValue = input.options.format === true && format !== 'json';
  // --raw prints the bytes an app wrote that are not valid UTF-8 as they are (strings would hold U+FFFD)
  if (format === 'raw' && !isKeyValue) request.withBytes = true;
  // --json and --ai lines carry their level (`lvl`, `l`) as REST and a search by level judge it: the
  // daemon works it out as it reads them (its log engine loaded then), the text form needs none
  if (format === 'json') request.withLevels = true;
  // CLI-3: --ai prints compact lines (t, a unless the target names one app, s, l, m); --follow one per line
  let stripAnsi: AnsiStripper | undefined;
  // a promise while stdout is full: a follow reads nothing more from the daemon until it drained
  const write = (lines: LogLine[]): Promise<void> | undefined => {
    if (lines.length === 0) return undefined;
    if (ctx.mode === 'ai') {
      // an agent reads the text, not a terminal's colours; the stripper loads only for a line that has them
      if (stripAnsi === undefined && hasEscapes(lines)) {
        return loadAnsiStripper().then((strip) => {
          stripAnsi = strip;
          return write(lines);
        });
      }
      const hasApp = linesNameApp(request.target, lines);
      const ai = lines.map((line) => JSON.stringify(toPlainAiLogLine(line, hasApp, stripAnsi)));
      return writeStdout(input.options.follow ? `${ai.join('\n')}\n` : `[${ai.join(',')}]\n`);
    }
    const texts = lines.map((line) => {
      if (isKeyValue) return formatKeyValueLine(line, stamp, isEscaped);
      const formatted = formatLogLine(line, format, ctx.colors, isEscaped);
      return stamp && format !== 'json' ? `${stamp.format(line.ts)} ${formatted}` : formatted;
    });
    if (request.withBytes && lines.some((line) => line.bytes !== undefined)) {
      return writeStdout(rawBytes(lines, texts, stamp));
    }
    return writeStdout(`${texts.join('\n')}\n`);
  };
  // a follow reconnects after a lost daemon but never starts one again (a `velos kill` stands)
  const client = await ctx.client({ autoStart: 'once' });
  if (!input.options.follow) {
    const result = await client.logsResult(request);
    if (ctx.mode === 'ai' && result.lines.length === 0) ctx.print('[]');
    // nothing printed at all read as a hang or a fault to a newcomer: say why, as `velos list` does
    if (result.lines.length === 0 && isEveryApp(request) && (await hasNoProcesses(client)))
      process.stderr.write(`velos: ${NO_PROCESSES}\n`);
    await write(result.lines);
    if (result.cut) process.stderr.write(formatLogsCut(result.cut));
    if (result.unattributed)
      process.stderr.write(formatUnattributed(request.target ?? 'all', result.unattributed));
    result.missingFiles?.forEach((path, index) => {
      process.stderr.write(missingFileNotice(path, result.missingHeldLines?.[index]));
    });
    return;
  }
  if (isEveryApp(request) && (await hasNoProcesses(client)))
    process.stderr.write(`velos: ${NO_PROCESSES} (following: their lines appear here)\n`);
  await followLogLines(client, request, write);
}

/** True for a request of every app's lines: no target, or `all`. */
function isEveryApp(request: LogsRequest): boolean {
  return request.target === undefined || request.target === 'all';
}

/** True when the daemon has no process at all (asked only when there is nothing to print). */
async function hasNoProcesses(client: VelosClient): Promise<boolean> {
  return (await client.list()).length === 0;
}

/**
 * The stderr line of a log file removed under the daemon (`missingFiles` of an answer): a tail shows
 * the `heldLines` held in memory, a search or a view (no `heldLines`) read none of its lines.
 */
export function missingFileNotice(path: string, heldLines?: number): string {
  const what =
    heldLines === undefined
      ? 'its lines were not read'
      : `showing the ${heldLines === 1 ? '1 line' : `${heldLines} lines`} held in memory`;
  return `velos: ${escapeControlChars(path)} is gone (removed while the app ran?): ${what}\n`;
}

/** `--raw` output of `lines` (formatted as `texts`): a line the daemon sent the bytes of is printed as those bytes. */
export function rawBytes(lines: LogLine[], texts: string[], stamp: LineStamp | null): Buffer {
  const parts = lines.map((line, index) => {
    if (line.bytes === undefined) return Buffer.from(`${texts[index]}\n`);
    const prefix = stamp ? `${stamp.format(line.ts)} ` : '';
    return Buffer.concat([Buffer.from(prefix), line.bytes, NEWLINE]);
  });
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

/** Lines a reopened follow asks for, to find where it left off (see `createLogResume`). */
const RESUME_LINES = 1000;

/**
 * `--follow`: new lines until Ctrl-C or SIGTERM. When the daemon is replaced (`velos update`) or dies,
 * it waits for the next one and goes on where it left off (lines written meanwhile included, none
 * twice); when the daemon stops cleanly (`velos kill`) it says so and ends.
 */
async function followLogLines(
  client: VelosClient,
  request: LogsRequest,
  write: (lines: LogLine[]) => Promise<void> | undefined,
): Promise<void> {
  const resume = createLogResume();
  const notices = lossNotices('logs');
  const follow = followResumably<LogLine>({
    open: (isResume) => client.followLogs(isResume ? { ...request, lines: RESUME_LINES } : request),
    probe: () => client.ping(),
    onItems: (items, isFirstAfterResume) => {
      const lines = withoutSkipMarkers(items);
      if (isFirstAfterResume) return write(resume.unseen(lines));
      resume.seen(lines);
      return write(lines);
    },
    onLost: (error) => {
      resume.lost(Date.now());
      notices.onLost(error);
    },
    onResumed: () => notices.onResumed(),
  });
  const stop = () => follow.cancel();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if ((await follow.done) === 'ended') {
      process.stderr.write('velos logs: the Velos daemon stopped; nothing more to follow\n');
    }
  } finally {
    notices.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * The lines of a follow's batch without its skip markers (`LogLine.skipped`: lines the daemon left out
 * while this follow's output was not read), which go to stderr as one line each.
 */
function withoutSkipMarkers(items: LogLine[]): LogLine[] {
  if (!items.some((line) => line.skipped !== undefined)) return items;
  for (const marker of items) {
    if (marker.skipped === undefined) continue;
    const what = marker.skipped === 1 ? '1 line' : `${marker.skipped} lines`;
    process.stderr.write(
      `velos logs: ${what} of ${marker.name} (id ${marker.id}) skipped: this follow fell behind, its output was not read fast enough (the log files hold them)\n`,
    );
  }
  return items.filter((line) => line.skipped === undefined);
}

/** Formats the time `--timestamp` puts before a line. */
export interface LineStamp {
  format(ts: number): string;
}

/**
 * The `--timestamp` formatter (PM2's format tokens: YYYY MM DD HH mm ss SSS Z…), or null without the
 * flag. An empty format is refused, as `--log-date-format=` is; letters that are no token stay as text
 * (as in PM2) with a warning on stderr, as a process file's `log_date_format` gets.
 */
export async function timestampOf(input: CommandInput): Promise<LineStamp | null> {
  const option = input.options.timestamp;
  if (option === undefined) return null;
  const format = option === true ? DEFAULT_TIMESTAMP_FORMAT : String(option);
  if (format.trim() === '')
    throw argumentError(
      `--timestamp: expected a date format such as HH:mm:ss (without a value: ${DEFAULT_TIMESTAMP_FORMAT}), got ${JSON.stringify(format)}`,
    );
  const problem = dateFormatTokensProblem(format);
  if (problem !== null) printWarnings([`--timestamp: ${problem}`]);
  const { createDateFormat } = await import('@velos/supervisor');
  return createDateFormat(format);
}

/** The most lines a tail asks for (the protocol's bound of `logs.lines`). */
const MAX_TAIL_LINES = 1_000_000;

function logsRequest(input: CommandInput): LogsRequest {
  // --limit sets the matches of a search or the entries of a view: a tail would print its 15 lines regardless
  if (input.options.limit !== undefined) {
    throw usageError(
      '--limit goes with a search or a view (--grep, --level, --since, --until, --summary, --patterns, --dedupe, --anomalies); a tail prints --lines N',
      'logs',
    );
  }
  const request: LogsRequest = {};
  const target = input.args[0];
  if (target !== undefined) request.target = target;
  const lines = input.options.lines ?? String(DEFAULT_LOG_LINES);
  if (typeof lines !== 'string' || !/^\d+$/.test(lines) || Number(lines) > MAX_TAIL_LINES) {
    throw usageError(
      `--lines: expected a number of lines from 0 to ${MAX_TAIL_LINES}, got ${JSON.stringify(lines)}`,
      'logs',
    );
  }
  request.lines = Number(lines);
  if (input.options.err && !input.options.out) request.stream = 'err';
  else if (input.options.out && !input.options.err) request.stream = 'out';
  return request;
}
