import type { AppSpec } from '@velos/core';
import { isScriptFileMissing } from '../commands/script-file.js';
import { statOf } from '../safe-stat.js';
import type { LossyReport } from './lossy-report.js';

const INSTEAD = 'export where the app is (its checkout, or the server it runs on)';
const WORDING = {
  problem: 'not on this machine',
  withLossy: 'write its command as the config gives it, unresolved',
};

/**
 * An app whose working directory or script file is not on this machine: its command cannot be
 * resolved as the daemon would spawn it (the interpreter of `worker.py`, absolute paths), and would
 * be written as a bare `ExecStart=worker.py` that systemd, a container or a pod cannot run. Lossy,
 * so an error unless `--lossy` (then the command is written as the config gives it).
 */
export function reportMissingApps(specs: readonly AppSpec[], report: LossyReport): void {
  for (const spec of specs) {
    if (statOf(spec.cwd)?.isDirectory() !== true) {
      report.lossy(
        spec.name,
        'cwd',
        `the working directory ${spec.cwd} is missing: the command cannot be resolved as the daemon spawns it, with its interpreter and absolute paths`,
        INSTEAD,
        WORDING,
      );
    } else if (isScriptFileMissing(spec)) {
      report.lossy(
        spec.name,
        'script',
        `${spec.script} is not a file in ${spec.cwd}: the command cannot be resolved as the daemon spawns it, with its interpreter and absolute paths`,
        INSTEAD,
        WORDING,
      );
    }
  }
}
