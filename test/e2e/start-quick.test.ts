import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runNode } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeJson, velos, waitForStatus } from './helpers.js';

// Issue 17: `velos start <script>` runs from dist/velos-start.js, not the full CLI; for every line the
// binary takes, the output, the errors and the exit code are those of the full CLI (dist/cli.cjs).

afterEach(cleanupHomes);

const FULL_CLI = join(REPO_ROOT, 'apps/cli/dist/cli.cjs');

/** The same command line through the full CLI, bypassing the binary's routing. */
function fullCli(args: string[], home: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runNode(FULL_CLI, args, { cwd: REPO_ROOT, env: { ...process.env, VELOS_HOME: home, ...env } });
}

/** A start's JSON list without what differs from run to run (pids, times, usage). */
function stableRows(stdout: string): unknown[] {
  return (JSON.parse(stdout) as Array<Record<string, unknown>>).map(
    ({ pid: _p, uptime: _u, startedAt: _s, createdAt: _c, cpu: _cpu, memory: _m, ...row }) => row,
  );
}

/** The text table with every number blanked and runs of spaces squeezed (pids and times differ). */
function stableTable(stdout: string): string {
  // sizes with their unit (a process sampled in one home, 41M or 12.3MB, not yet in the other, -), times, %
  return stdout
    .replace(/\d+(\.\d+)?([KMGT]i?B?|B|%|ms|s|m|h|d)?/g, '#')
    .replace(/(?<= )-(?= |$)/gm, '#')
    .replace(/ +/g, ' ');
}

describe('velos start <script> from the small entry (issue 17)', () => {
  it('prints the same table and JSON as the full CLI', async () => {
    const quick = createHome();
    const full = createHome();
    const text = ['start', 'fixtures/silent.js', '--name', 'same'];
    const [a, b] = [await velos(text, { home: quick }), await fullCli(text, full)];
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr).toBe(b.stderr);
    expect(stableTable(a.stdout)).toBe(stableTable(b.stdout));
    expect(a.stdout).toContain('same');
    const json = ['start', '--json', 'fixtures/silent.js', '-n', 'second', '--', '--port', '1'];
    const [c, d] = [await velos(json, { home: quick }), await fullCli(json, full)];
    expect([c.code, d.code]).toEqual([0, 0]);
    expect(stableRows(c.stdout)).toEqual(stableRows(d.stdout));
    const [quickApp] = await describeJson(quick, 'second');
    const [fullApp] = await describeJson(full, 'second');
    expect(quickApp!.spec).toEqual(fullApp!.spec);
    expect(quickApp!.command).toEqual(fullApp!.command);
    // both homes' tables list `second` online before the next start prints them
    await Promise.all([waitForStatus(quick, 'second', 'online'), waitForStatus(full, 'second', 'online')]);
    // a line with options the small entry does not read goes to the full CLI: PM2 flags it ignores too
    const pm2 = ['start', 'fixtures/silent.js', '--name', 'pm2', '--no-vizion', '--instance-var', 'SLOT'];
    const [e, f] = [await velos(pm2, { home: quick }), await fullCli(pm2, full)];
    expect([e.code, f.code]).toEqual([0, 0]);
    expect(e.stderr).toBe('velos: warning: PM2 options with no Velos equivalent, ignored: --no-vizion\n');
    expect(f.stderr).toBe(e.stderr);
    expect(stableTable(e.stdout)).toBe(stableTable(f.stdout));
    const [quickPm2] = await describeJson(quick, 'pm2');
    expect(quickPm2!.spec).toEqual((await describeJson(full, 'pm2'))[0]!.spec);
    expect(quickPm2!.spec.instanceVar).toBe('SLOT');
  });

  it('fails as the full CLI does: name in use, bad name, missing script, a directory', async () => {
    const quick = createHome();
    const full = createHome();
    const lines = [
      ['start', 'fixtures/silent.js', '--name', 'taken'],
      ['start', 'fixtures/silent.js', '--name', 'taken'],
      ['start', 'fixtures/silent.js', '--name', 'all'],
      ['start', 'fixtures/missing.js'],
      ['start', 'fixtures'],
      ['start', 'fixtures/silent.js', '--json', '--ai'],
    ];
    const codes: Array<[number | null, number | null]> = [];
    for (const line of lines) {
      const [a, b] = [await velos(line, { home: quick }), await fullCli(line, full)];
      codes.push([a.code, b.code]);
      expect(a.stderr).toBe(b.stderr);
      expect(stableTable(a.stdout)).toBe(stableTable(b.stdout));
    }
    expect(codes).toEqual([
      [0, 0],
      [1, 1],
      // a bad --name is a wrong command line (exit 2, docs/migrating-from-pm2.md)
      [2, 2],
      [1, 1],
      [1, 1],
      [2, 2],
    ]);
  });

  it('fails as the full CLI does when the daemon cannot spawn the app: one line with the reason', async () => {
    const quick = createHome();
    const full = createHome();
    // no extension, no #! and no x bit: the daemon cannot exec it (a missing interpreter is refused
    // before the start, by either CLI)
    const script = join(quick, 'task');
    writeFileSync(script, 'echo 1\n');
    const line = ['start', script, '--name', 'rb'];
    const [a, b] = [await velos(line, { home: quick }), await fullCli(line, full)];
    expect([a.code, b.code]).toEqual([1, 1]);
    expect(a.stderr).toBe(`velos: rb: cannot start ${script}: permission denied (EACCES)\n`);
    expect(b.stderr).toBe(a.stderr);
    expect(stableTable(a.stdout)).toBe(stableTable(b.stdout));
    expect(a.stdout).toContain('errored');
  });
});
