import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, describeState, REPO_ROOT, velos, waitFor } from './helpers.js';

/** The corpus of PM2 process files (issue #14), each case in its own directory beside `apps/server.js`. */
export const PM2_FIXTURES = join(REPO_ROOT, 'test/pm2-compat/fixtures');

/** What `test/pm2-compat/fixtures/apps/server.js` prints first: how it was started. */
export interface ServerReport {
  pid: number;
  argv: string[];
  execArgv: string[];
  cwd: string;
  env: Record<string, string | null>;
}

/**
 * Copies the fixture corpus into `home/project` (apps write their log and pid files beside them), or
 * into `home/<into>`: one copy per test of a home the tests share.
 */
export function copyCorpus(home: string, into = 'project'): string {
  const project = join(home, into);
  cpSync(PM2_FIXTURES, project, { recursive: true });
  return project;
}

/** Runs `velos …args` in a case directory of the copied corpus. */
export function velosIn(dir: string, home: string, args: string[]): Promise<CliResult> {
  return velos(args, { home, cwd: dir });
}

/** The spec of an app as `velos describe --json` shows it (its first process), read over the daemon's socket. */
export async function specOf(home: string, name: string): Promise<Record<string, unknown>> {
  const [detail] = await describeState(home, name);
  if (!detail) throw new Error(`no process named ${name}`);
  return detail.spec;
}

/** Waits for the reports of `count` server processes in a log file (lines may carry a date prefix). */
export function serverReports(path: string, count = 1): Promise<ServerReport[]> {
  return waitFor(
    () => {
      if (!existsSync(path)) return undefined;
      const reports = readFileSync(path, 'utf8')
        .split('\n')
        .map((line) => line.slice(line.indexOf('{')))
        .filter((line) => line.startsWith('{"pid"'))
        .map((line) => JSON.parse(line) as ServerReport);
      return reports.length >= count ? reports : undefined;
    },
    { message: `${count} report(s) in ${path}` },
  );
}

/** The `velos: warning: …` lines of a CLI call's stderr, without the prefix. */
export function warningsOf(result: CliResult): string[] {
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('velos: warning: '))
    .map((line) => line.slice('velos: warning: '.length));
}
