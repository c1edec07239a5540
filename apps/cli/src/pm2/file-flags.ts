import { resolve } from 'node:path';
import type { AppSpec } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { flagAsTyped } from '../parse-argv.js';

/** The start flags `pm2 start <process file>` applies to the file's apps; it ignores the others. */
const APPLIED = new Set(['watch', 'namespace']);

/**
 * PM2's app flags next to a process file (`pm2 start ecosystem.config.js --watch --time`): as pm2 6
 * does, `--watch` and `--namespace` apply to every app of the file and the others are ignored, with
 * one warning naming them. `given` are the app flags of the command line (`-- args` included).
 */
export function applyPm2FileFlags(
  specs: AppSpec[],
  input: CommandInput,
  given: string[],
  warn: ((message: string) => void) | undefined,
  label: string,
): void {
  const ignored = given.filter((flag) => !APPLIED.has(flag));
  if (ignored.length > 0) {
    const names = ignored.map((flag) => (flag === '--' ? '-- args' : flagAsTyped(input, flag))).join(', ');
    warn?.(
      `${label}: ${names} ignored: pm2 applies no app flag but --watch and --namespace to a process file; set them in the file`,
    );
  }
  const { watch, namespace } = input.options;
  for (const spec of specs) {
    if (typeof namespace === 'string') spec.namespace = namespace;
    if (watch === true) spec.watch = [spec.cwd];
    else if (typeof watch === 'string') {
      spec.watch = watch
        .split(',')
        .map((path) => path.trim())
        .filter((path) => path !== '')
        .map((path) => resolve(spec.cwd, path));
    }
  }
}
