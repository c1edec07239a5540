import type { LogLine } from '@velos/core';
import { Box, Text } from 'ink';
import { memo } from 'react';
import { displayWidth } from '../output/display-width.js';
import { formatFields } from '../output/log-line.js';
import { fitLine, logColor, logText, screenSafe } from './format.js';
import type { MonitData } from './monit-store.js';

/**
 * The log pane: the last `height` lines of the selected process, coloured by level, or the log engine's
 * summary; each line cut to `width` columns. `anchor` holds it scrolled back: the `logs.received` count
 * its last line had (null follows the newest line).
 */
export const LogPane = memo(function LogPane(props: {
  title: string;
  logs: MonitData['logs'];
  summary: MonitData['summary'];
  height: number;
  width: number;
  anchor?: number | null;
}) {
  const { title, logs, summary, height, width, anchor = null } = props;
  // Keys are positions in the whole buffer, so a row keeps its key while newer lines arrive.
  const items: (string | LogLine)[] = summary ? summaryLines(summary).slice(0, height) : logs.lines;
  const end = summary ? items.length : logsEnd(logs, height, anchor);
  const start = summary ? 0 : Math.max(0, end - height);
  const rows = items.slice(start, end).map((item, n) => ({ key: start + n, item }));
  const newer = items.length - end;
  const scrolled =
    newer > 0 ? `· scrolled back, ${newer} newer ${newer === 1 ? 'line' : 'lines'} below (PgDn) ` : '';
  const older =
    start > 0
      ? ''
      : logs.older === 'loading'
        ? '· loading older lines… '
        : newer > 0 && logs.older === 'none'
          ? '· the oldest line '
          : logs.older === 'held' && logs.target !== null
            ? `· ${heldNote(logs.lines.length, logs.target)} `
            : '';
  const head = fitLine(
    summary ? `── log summary ${title} (a: back to logs) ` : `── logs ${title} ${older}${scrolled}`,
    width,
  );
  const error = logs.error && !summary ? fitLine(screenSafe(logs.error), width - displayWidth(head)) : '';
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold color="cyan" wrap="truncate">
        {head}
        {error ? <Text color="red">{error}</Text> : null}
      </Text>
      {rows.map((row) =>
        typeof row.item === 'string' ? (
          <Text key={row.key} wrap="truncate">
            {fitLine(row.item, width)}
          </Text>
        ) : (
          <LogRow key={row.key} line={row.item} width={width} />
        ),
      )}
    </Box>
  );
});

const LogRow = memo(function LogRow(props: { line: LogLine; width: number }) {
  const { line, width } = props;
  // a marker of the daemon (the follow fell behind), not a line of the app: a dim notice
  if (line.skipped !== undefined) {
    return (
      <Text wrap="truncate" dimColor>
        {fitLine(`  ${skippedNotice(line.skipped)}`, width)}
      </Text>
    );
  }
  // a parsed JSON line's other fields follow its message, as in velos logs (` port=8080 err={…}`)
  const text = logText(line.fields ? `${line.line}${formatFields(line.fields)}` : line.line);
  return (
    <Text wrap="truncate" color={logColor(line.lvl, text, line.stream)}>
      {fitLine(`${line.stream === 'err' ? '! ' : '  '}${text}`, width)}
    </Text>
  );
});

/**
 * Where the pane's lines end in `logs.lines`: at the newest line, or scrolled back at the line that was
 * `anchor`-th received (the oldest kept once it has gone; a full pane at least).
 */
export function logsEnd(logs: MonitData['logs'], height: number, anchor: number | null): number {
  const count = logs.lines.length;
  if (anchor === null) return count;
  const oldest = logs.received - count;
  return Math.min(count, Math.max(Math.min(height, count), anchor - oldest));
}

/**
 * What the full-screen logs say at the oldest of the most lines monit holds: how many, and the command
 * that reads further back (`target`: the process id the pane follows).
 * @example heldNote(5000, '3') // '5,000 lines held; older: velos logs 3 --lines 10000'
 */
export function heldNote(held: number, target: string): string {
  return `${held.toLocaleString('en-US')} lines held; older: velos logs ${target} --lines ${held * 2}`;
}

/** `… 1,234 lines skipped`: what a skip marker (`LogLine.skipped`) shows in place of the lines it counts. */
export function skippedNotice(count: number): string {
  return `… ${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'} skipped`;
}

function summaryLines(summary: NonNullable<MonitData['summary']>): string[] {
  if (summary.error !== null) return [`summary unavailable: ${screenSafe(summary.error)}`];
  if (summary.text === null) return ['analysing…'];
  return summary.text.split('\n').map(screenSafe);
}
