import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AlertRule, ErrorCodes, VelosError } from '@velos/core';
import { findOnPath } from '../resolve-command.js';

/**
 * Refuses a rule whose command channel names a program the daemon cannot run (a typo, a script not
 * installed): its notifications would all fail, and a rule meant to page someone would tell no one.
 * The program is looked for as the delivery spawns it: a path from the daemon's folder, a bare name on
 * the daemon's PATH.
 */
export function checkAlertPrograms(rules: readonly AlertRule[], source?: string): void {
  rules.forEach((rule, index) => {
    const where =
      source === undefined ? `alert rule '${rule.name}'` : `${source}: alerts[${index}] (${rule.name})`;
    const channels = [
      ...rule.channels.map((channel, i) => ['command', `channels[${i}]`, channel] as const),
      ...(rule.escalation?.channels ?? []).map(
        (channel, i) => ['escalate.command', `escalation.channels[${i}]`, channel] as const,
      ),
    ];
    for (const [key, field, channel] of channels) {
      if (channel.type !== 'command') continue;
      const program = channel.command[0] ?? '';
      const problem = programProblem(program);
      if (problem === null) continue;
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `${where}: ${key}: ${problem}, so no notification could be sent`,
        { data: { field: `rule.${field}.command`, program } },
      );
    }
  });
}

/** Why the daemon could not run `program`, or null when it can. */
function programProblem(program: string): string | null {
  if (!program.includes('/')) {
    return findOnPath(program, process.env.PATH ?? '') === null
      ? `program not found: ${program} (not on the daemon's PATH)`
      : null;
  }
  const path = resolve(program);
  try {
    if (!statSync(path).isFile()) return `not a file: ${program}`;
  } catch {
    return `program not found: ${program}`;
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `not executable: ${program}`;
  }
  return null;
}
