/** PM2's global options, accepted by every command: `-s`/`--silent` and `--no-color`. */
export interface GlobalFlags {
  /** `-s`, `--silent`: print nothing on stdout except the data a command exists to print. */
  isSilent: boolean;
  /** `--no-color`: no colour, even on a terminal (as `NO_COLOR=1`, without passing it to apps). */
  isColorOff: boolean;
  /** The arguments without those flags. */
  argv: string[];
}

/** Commands whose output is the data a script asked for: `--silent` keeps it. */
const DATA_COMMANDS = new Set([
  'list',
  'jlist',
  'prettylist',
  'describe',
  'logs',
  'id',
  'pid',
  'env',
  'events',
  'runs',
  'metrics',
  'health',
  'config',
  'export',
  'monit',
  'mcp',
]);

/** Takes PM2's global flags out of a command's arguments (never after `--`, where they belong to the app). */
export function takeGlobalFlags(argv: string[]): GlobalFlags {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  const tail = end === -1 ? [] : argv.slice(end);
  const isSilent = head.includes('-s') || head.includes('--silent');
  const isColorOff = head.includes('--no-color');
  const kept = head.filter((arg) => arg !== '-s' && arg !== '--silent' && arg !== '--no-color');
  return { isSilent, isColorOff, argv: [...kept, ...tail] };
}

/** True when `--silent` hides the output of `command` (an action's list, a confirmation line). */
export function isSilenced(command: string, flags: GlobalFlags): boolean {
  return flags.isSilent && !DATA_COMMANDS.has(command);
}
