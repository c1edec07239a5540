import type { VelosEvent } from '@velos/core';
import { Box, Text } from 'ink';
import { memo } from 'react';
import { eventTime } from '../output/events.js';
import { fitLine, screenSafe } from './format.js';

/** Width of the kind column: `process.restarting` and shorter kinds line up (as in `velos events`). */
const KIND_WIDTH = 18;

/** The recent events: time, kind, app and message, coloured by severity, each cut to `width` columns. */
export const EventsPane = memo(function EventsPane(props: {
  events: VelosEvent[];
  height: number;
  width: number;
}) {
  const { events, height, width } = props;
  if (height <= 0) return null;
  const shown = events.slice(-height);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold color="cyan">
        ── events
      </Text>
      {shown.length === 0 ? <Text dimColor>no events yet</Text> : null}
      {shown.map((event) => (
        <Text key={event.seq} wrap="truncate" color={severityColor(event.severity)}>
          {fitLine(
            `${eventTime(event.at)} ${event.kind.padEnd(KIND_WIDTH)} ${screenSafe(event.message)}`,
            width,
          )}
        </Text>
      ))}
    </Box>
  );
});

function severityColor(severity: VelosEvent['severity']): string | undefined {
  if (severity === 'warning') return 'yellow';
  if (severity === 'error' || severity === 'critical') return 'red';
  return undefined;
}
