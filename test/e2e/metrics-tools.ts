import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether a Debian binary of the `prometheus` package is on this machine. */
export function hasBinary(path: string): boolean {
  return existsSync(path) || spawnSync('sh', ['-c', `command -v ${path}`]).status === 0;
}

/** In CI a missing binary is a failure with a clear message; locally its tests are skipped. */
export function requireBinary(path: string): boolean {
  const isThere = hasBinary(path);
  if (!isThere && process.env.CI === 'true') {
    throw new Error(
      `${path} is missing: install the Debian package prometheus (apt-get install -y prometheus)`,
    );
  }
  return isThere;
}

/** What `promtool check metrics` reports on a text: '' when it found no problem. */
export function promtoolProblems(text: string): string {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`.trim();
  return result.status === 0 ? output : `${output} (promtool exited ${result.status})`;
}
