// `npm test`: installs and builds what is needed, checks types and lint, then runs every test
// (unit tests of each package and the end-to-end tests) and prints one summary line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { install, root, run } from './lib/bootstrap.mjs';
import { readReport } from './lib/vitest-report.mjs';

const [pnpm, ...pre] = install();
// lint first: it needs no build and fails in seconds
run(pnpm, [...pre, 'run', 'lint']);
// build and typecheck in one turbo graph (what `pnpm run build` then `pnpm run typecheck` run): the type
// checks are four tsc programs (tsconfig.packages.json: the libraries' source and unit tests;
// tsconfig.apps.json: the CLI's and the server's; tsconfig.tests.json: the test workspaces and their
// helpers; the dashboard's, with DOM types), each started as soon as the builds it reads declarations
// from are done: all but the apps' while the build's chain (… → api → server → cli) still runs
// .ci/run type-checks this same tree while apt-get installs the test tools, and says so with
// VELOS_CI_TYPECHECKED=1 (only when that check passed): the build alone then (found in turbo's cache)
const typechecked = process.env.VELOS_CI_TYPECHECKED === '1';
const typecheckTasks = ['typecheck:packages', 'typecheck:apps', 'typecheck:tests', 'typecheck:dashboard'];
if (typechecked) console.log('typecheck: passed already in this CI run (.ci/run, VELOS_CI_TYPECHECKED=1)');
run(pnpm, [...pre, 'exec', 'turbo', 'run', 'build', ...(typechecked ? [] : typecheckTasks)]);

// Node 20 parses the file NODE_EXTRA_CA_CERTS names at every start, before any JavaScript (a system bundle of
// ~140 certificates: ~50 ms of CPU per process, see docs/benchmarks.md session 18); the tests start thousands of
// Node processes and none needs it but the TLS tests, which set their own. Newer Nodes read it on first TLS use.
const testEnv = { ...process.env };
delete testEnv.NODE_EXTRA_CA_CERTS;

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
  { cwd: root, env: testEnv, stdio: 'inherit' },
);

const { counts, failures } = readReport(reportFile);
rmSync(reportDir, { recursive: true, force: true });
// vitest crashed before writing its report when there are no counts; its own output above says why
console.log(
  `\n${failures.join('\n')}${failures.length ? '\n' : ''}Tests: ${counts ?? 'no report was written'}`,
);
process.exit(vitest.status ?? 1);
