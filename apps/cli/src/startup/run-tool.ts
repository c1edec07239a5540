import { execFile } from 'node:child_process';

/** How a run of `systemctl` or `launchctl` ended. */
export interface ToolResult {
  isOk: boolean;
  /** The program is not on PATH. */
  isMissing: boolean;
  /** Exit code, or null when it could not run or was killed. */
  exitCode: number | null;
  /** The first line of its stderr (or of the spawn error), for a one-line message. */
  reason: string;
}

/** A service manager that has not answered after this long is hung. */
const TOOL_TIMEOUT_MS = 60_000;

/** Runs `file args…` (looked up on PATH) and resolves with how it ended; it never rejects. */
export function runTool(file: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolveRun) => {
    execFile(file, args, { timeout: TOOL_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return resolveRun({ isOk: true, isMissing: false, exitCode: 0, reason: '' });
      const isMissing = error.code === 'ENOENT';
      const exitCode = typeof error.code === 'number' ? error.code : null;
      const firstLine = String(stderr).trim().split('\n')[0]?.trim().replace(/\.$/, '');
      const reason = isMissing
        ? `${file} is not on PATH`
        : firstLine || (exitCode === null ? error.message : `exit code ${exitCode}`);
      resolveRun({ isOk: false, isMissing, exitCode, reason });
    });
  });
}
