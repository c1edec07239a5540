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
 * Refuses the `changes` of a config set whose `cwd` is relative: the API server's own directory means
 * nothing to a remote client. A `script` or `cwd` that is not there is the daemon's to refuse, in the
 * words of every other start (`moved cannot start: script not found: … (did you mean silent.js?)`).
 */
export function checkCwdChange(changes: Record<string, unknown>): void {
  const { cwd } = changes;
  if (typeof cwd === 'string' && !isAbsolute(cwd)) {
    throw fieldError(
      'changes.cwd',
      `expected an absolute directory, got ${JSON.stringify(cwd)}: the API server's own directory means nothing to a remote client`,
    );
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}
