// `npm test`: installs and builds what is needed, checks types and lint, then runs every test
// (unit tests of each package and the end-to-end tests) and prints one summary line. The type check runs
// beside the tests, at the lowest CPU priority, and its failure fails the run like a test's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLowPriority } from './lib/background.mjs';
import { install, root, run } from './lib/bootstrap.mjs';
import { readReport } from './lib/vitest-report.mjs';

const [pnpm, ...pre] = install();
// lint first: it needs no build and fails in seconds
run(pnpm, [...pre, 'run', 'lint']);
run(pnpm, [...pre, 'exec', 'turbo', 'run', 'build']);
// The type check (a `tsc` per package, ~140 CPU-seconds) needs the build's declarations, not the tests: it
// runs beside them on the CPU they leave idle (they mostly wait on daemons and children) instead of before
// them, where it held the 2-core CI machine ~65 s. `--only`: the build is done, and a replay of its cached
// outputs would rewrite dist/ under running tests. Two at a time, to bound its memory.
const reportDir = mkdtempSync(join(tmpdir(), 'velos-test-report-'));
const typecheck = startLowPriority(
  pnpm,
  [...pre, 'exec', 'turbo', 'run', 'typecheck', '--only', '--concurrency=2', '--output-logs=errors-only'],
  join(reportDir, 'typecheck.log'),
);

// Node 20 parses the file NODE_EXTRA_CA_CERTS names at every start, before any JavaScript (a system bundle of
// ~140 certificates: ~50 ms of CPU per process, see docs/benchmarks.md session 18); the tests start thousands of
// Node processes and none needs it but the TLS tests, which set their own. Newer Nodes read it on first TLS use.
const testEnv = { ...process.env };
delete testEnv.NODE_EXTRA_CA_CERTS;

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
  { cwd: root, env: testEnv, stdio: 'inherit' },
);

const { counts, failures } = readReport(reportFile);
const checked = await typecheck;
rmSync(reportDir, { recursive: true, force: true });
if (checked.status === 0) {
  console.log(`\nTypecheck: passed (beside the tests, ${checked.seconds} s)`);
} else {
  console.log(`\nTypecheck (turbo run typecheck) failed:\n${checked.output.trimEnd()}`);
  failures.push(
    `FAILED typecheck: \`pnpm run typecheck\` failed with exit code ${checked.status} (its output is above)`,
  );
}
// vitest crashed before writing its report when there are no counts; its own output above says why
console.log(
  `\n${failures.join('\n')}${failures.length ? '\n' : ''}Tests: ${counts ?? 'no report was written'}`,
);
process.exit(checked.status === 0 ? (vitest.status ?? 1) : 1);
