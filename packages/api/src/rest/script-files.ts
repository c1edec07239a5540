import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, fieldError, namesScriptFile, VelosError } from '@velos/core';

/**
 * Refuses a start before anything runs when an app's `cwd` is not a directory or its `script` names
 * a file (`namesScriptFile`) that is not there, as `velos start` and the MCP tool do: the daemon would
 * list it errored (`spawn-error`), and the client would get a 200. Each problem names its field
 * (`apps[1].script`); entries of another shape are the daemon's schema's to judge.
 */
export function checkScriptFiles(apps: unknown): void {
  if (!Array.isArray(apps)) return;
  const issues: { path: string; message: string }[] = [];
  apps.forEach((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object') return;
    const { script, cwd } = entry as { script?: unknown; cwd?: unknown };
    if (typeof cwd !== 'string' || !isAbsolute(cwd)) return;
    if (!isDirectory(cwd)) {
      issues.push({ path: `apps[${i}].cwd`, message: `the working directory ${cwd} does not exist` });
    } else if (typeof script === 'string' && namesScriptFile(script) && !exists(resolve(cwd, script))) {
      issues.push({ path: `apps[${i}].script`, message: `script not found: ${script} (relative to ${cwd})` });
    }
  });
  const [first] = issues;
  if (first === undefined) return;
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${first.path}: ${first.message}`, {
    data: {
      field: first.path,
      issues: issues.map((issue) => ({ path: issue.path, message: `${issue.path}: ${issue.message}` })),
    },
  });
}

/**
 * Refuses the `changes` of a config set whose `cwd` is relative or not a directory, or whose `script`
 * names a file that is not there (relative to the new cwd, else `currentCwd`), as a start is refused:
 * the daemon restarted a running app with it, and the app was left errored (`spawn-error`).
 */
export function checkScriptChange(changes: Record<string, unknown>, currentCwd: string | undefined): void {
  const { script, cwd: newCwd } = changes;
  if (typeof newCwd === 'string' && !isAbsolute(newCwd)) {
    throw fieldError(
      'changes.cwd',
      `expected an absolute directory, got ${JSON.stringify(newCwd)}: the API server's own directory means nothing to a remote client`,
    );
  }
  if (typeof newCwd === 'string' && !isDirectory(newCwd)) {
    throw fieldError('changes.cwd', `the working directory ${newCwd} does not exist`);
  }
  const cwd = typeof newCwd === 'string' ? newCwd : currentCwd;
  if (cwd === undefined || typeof script !== 'string' || !namesScriptFile(script)) return;
  if (!exists(resolve(cwd, script))) {
    throw fieldError('changes.script', `script not found: ${script} (relative to ${cwd})`);
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}
