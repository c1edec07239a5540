import { Box, Text } from 'ink';

/** Every key of monit with what it does (also in docs/monit.md). */
export const MONIT_KEYS: readonly [string, string][] = [
  ['↑ ↓  j k', 'select a process (PgUp PgDn: by 10; Home End, g G: first, last)'],
  ['Enter  l', 'full-screen logs of the selection (Esc, h, ← or q: back)'],
  ['PgUp PgDn', 'scroll the full-screen logs (on past the newest line: follow)'],
  ['a', 'the log engine’s summary of the app (a again: back to the logs)'],
  ['r', 'restart the selected process'],
  ['R', 'reload it (cluster: one instance at a time; fork: restart)'],
  ['s', 'stop it'],
  ['d', 'delete it (asks y/N)'],
  ['/', 'filter by name or namespace (Enter keeps it, Esc clears it)'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit'],
];

/**
 * The help screen: the keys of monit, in `height` lines at most (a shorter screen shows the first keys
 * and how many it leaves out: ink drew more lines than fit over one another).
 */
export function HelpView(props: { height: number }) {
  const { height } = props;
  const isCut = MONIT_KEYS.length + 1 > height;
  const shown = isCut ? MONIT_KEYS.slice(0, Math.max(0, height - 2)) : MONIT_KEYS;
  return (
    <Box flexDirection="column">
      <Text bold color="cyan">
        velos monit: keys
      </Text>
      {shown.map(([keys, what]) => (
        <Text key={keys} wrap="truncate">
          <Text bold>{keys.padEnd(12)}</Text> {what}
        </Text>
      ))}
      {isCut && height >= 2 ? (
        <Text dimColor wrap="truncate">
          {`… ${MONIT_KEYS.length - shown.length} more keys on a terminal of ${MONIT_KEYS.length + 2} rows (any key closes this help)`}
        </Text>
      ) : null}
    </Box>
  );
}
