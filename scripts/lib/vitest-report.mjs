// Reads the JSON report vitest wrote (`--reporter=json`) into the counts `npm test` and the Node 24 run print,
// and one `FAILED` line per failed test or file, printed again after vitest's own output so that the last
// lines of a run (all a CI log may keep) name what failed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { root } from './bootstrap.mjs';

const MESSAGE_CHARS = 300;

/** The first line of a failure message, without colour codes, cut to a readable length. */
function firstLine(message) {
  const line =
    String(message ?? '')
      .replace(/\u001b\[[0-9;]*m/g, '')
      .trim()
      .split('\n')[0] ?? '';
  return line.length > MESSAGE_CHARS ? `${line.slice(0, MESSAGE_CHARS)}…` : line;
}

/**
 * `{ counts, failures }` from the report at `file`: counts as `N passed, N failed, N skipped`, or null
 * when there is no readable report (vitest crashed before writing it); failures as `FAILED <file> > <test>: <why>`.
 */
export function readReport(file) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { counts: null, failures: [] };
  }
  const skipped = report.numPendingTests + report.numTodoTests;
  const counts = `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
  const failures = [];
  for (const result of report.testResults ?? []) {
    const path = relative(root, result.name);
    const failed = (result.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      failures.push(`FAILED ${path} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
    // a file can fail with no failed test: a hook timed out, or it did not load
    if (failed.length === 0 && result.status === 'failed') {
      failures.push(`FAILED ${path}: ${firstLine(result.message)}`);
    }
  }
  return { counts, failures };
}
