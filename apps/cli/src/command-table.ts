import { suggestKey } from '@velos/core';
import type { CommandSpec } from './command-spec.js';
import { ALERT_COMMANDS } from './command-table/alert-commands.js';
import { CONFIG_COMMANDS } from './command-table/config-commands.js';
import { DAEMON_COMMANDS } from './command-table/daemon-commands.js';
import { INSPECT_COMMANDS } from './command-table/inspect-commands.js';
import { JOB_COMMANDS } from './command-table/job-commands.js';
import { LOG_COMMANDS } from './command-table/log-commands.js';
import { PM2_COMMANDS } from './command-table/pm2-commands.js';
import { PROCESS_COMMANDS } from './command-table/process-commands.js';
import { SERVICE_COMMANDS } from './command-table/service-commands.js';
import { START_COMMANDS } from './command-table/start-commands.js';

/**
 * Every command of the `velos` binary, in the order `velos --help` lists them; each group lives in
 * command-table/, and implementations are imported only when their command runs.
 */
export const COMMANDS: CommandSpec[] = [
  ...START_COMMANDS,
  ...PROCESS_COMMANDS,
  ...INSPECT_COMMANDS,
  ...LOG_COMMANDS,
  ...JOB_COMMANDS,
  ...ALERT_COMMANDS,
  ...CONFIG_COMMANDS,
  ...DAEMON_COMMANDS,
  ...PM2_COMMANDS,
  ...SERVICE_COMMANDS,
];

/** The command called `name` or one of its aliases. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/**
 * The command (or alias) a mistyped word most likely meant (`stpo` → `stop`), or null; command names
 * are short, so a word of up to 6 letters may be one edit away only (`bogus` is not `logs`).
 */
export function suggestCommand(word: string): string | null {
  const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  return suggestKey(word, names, word.length <= 6 ? 1 : 2);
}
