// `npm test`: installs and builds what is needed, checks types and lint, then runs every test
// (unit tests of each package and the end-to-end tests) and prints one summary line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installAndBuild, root, run } from './lib/bootstrap.mjs';

const [pnpm, ...pre] = installAndBuild();
run(pnpm, [...pre, 'run', 'typecheck']);
run(pnpm, [...pre, 'run', 'lint']);

const reportDir = mkdtempSync(join(tmpdir(), 'velos-test-report-'));
const reportFile = join(reportDir, 'vitest.json');
const vitest = spawnSync(
  pnpm,
  [
    ...pre,
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);

let summary = 'Tests: no report was written';
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  summary = `Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
} catch {
  // vitest crashed before writing its report; its own output above says why.
}
rmSync(reportDir, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(vitest.status ?? 1);
