import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, namesScriptFile, VelosError } from '@velos/core';

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

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}
