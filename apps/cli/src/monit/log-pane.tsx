import type { LogLine } from '@velos/core';
import { Box, Text } from 'ink';
import { memo } from 'react';
import { logColor, logText, screenSafe } from './format.js';
import type { MonitData } from './monit-store.js';

/** The log pane: the last `height` lines of the selected process, coloured by level, or the log engine's summary. */
export const LogPane = memo(function LogPane(props: {
  title: string;
  logs: MonitData['logs'];
  summary: MonitData['summary'];
  height: number;
}) {
  const { title, logs, summary, height } = props;
  // Keys are positions in the whole buffer, so a row keeps its key while newer lines arrive.
  const items: (string | LogLine)[] = summary ? summaryLines(summary).slice(0, height) : logs.lines;
  const start = summary ? 0 : Math.max(0, items.length - height);
  const rows = items.slice(start).map((item, n) => ({ key: start + n, item }));
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold color="cyan" wrap="truncate">
        {summary ? `── log summary ${title} (a: back to logs) ` : `── logs ${title} `}
        {logs.error && !summary ? <Text color="red">{screenSafe(logs.error)}</Text> : null}
      </Text>
      {rows.map((row) =>
        typeof row.item === 'string' ? (
          <Text key={row.key} wrap="truncate">
            {row.item}
          </Text>
        ) : (
          <LogRow key={row.key} line={row.item} />
        ),
      )}
    </Box>
  );
});

const LogRow = memo(function LogRow(props: { line: LogLine }) {
  const { line } = props;
  // a marker of the daemon (the follow fell behind), not a line of the app: a dim notice
  if (line.skipped !== undefined) {
    return (
      <Text wrap="truncate" dimColor>
        {`  ${skippedNotice(line.skipped)}`}
      </Text>
    );
  }
  const text = logText(line.line);
  return (
    <Text wrap="truncate" color={logColor(line.lvl, text, line.stream)}>
      {`${line.stream === 'err' ? '! ' : '  '}${text}`}
    </Text>
  );
});

/** `… 1,234 lines skipped`: what a skip marker (`LogLine.skipped`) shows in place of the lines it counts. */
export function skippedNotice(count: number): string {
  return `… ${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'} skipped`;
}

function summaryLines(summary: NonNullable<MonitData['summary']>): string[] {
  if (summary.error !== null) return [`summary unavailable: ${screenSafe(summary.error)}`];
  if (summary.text === null) return ['analysing…'];
  return summary.text.split('\n').map(screenSafe);
}
