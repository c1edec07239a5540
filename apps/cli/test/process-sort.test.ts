import { ErrorCodes, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { parseProcessSort, sortProcesses } from '../src/output/process-sort.js';
import { parseCommandArgs } from '../src/parse-argv.js';
import { withPm2ActionHint } from '../src/pm2/action-hint.js';
import { processInfo } from './sample-processes.js';

const processes = [
  processInfo({ id: 0, name: 'web', memory: 300, cpu: 1, pid: 30 }),
  processInfo({ id: 1, name: 'api', memory: 100, cpu: 5, pid: null, status: 'stopped' }),
  processInfo({ id: 2, name: 'jobs', memory: 200, cpu: 1, pid: 10 }),
];

describe("velos list --sort (PM2's ls --sort <field>:<asc|desc>)", () => {
  it('is taken by velos ls and orders by a column, ascending unless :desc, ties by id', () => {
    expect(parseCommandArgs(findCommand('ls')!, ['--sort', 'name']).options.sort).toBe('name');
    const ids = (text: string) => sortProcesses(processes, parseProcessSort(text)).map((p) => p.id);
    expect(ids('name')).toEqual([1, 2, 0]);
    expect(ids('memory:desc')).toEqual([0, 2, 1]);
    expect(ids('CPU:asc')).toEqual([0, 2, 1]);
    expect(ids('pid')).toEqual([2, 0, 1]);
    expect(ids('id:desc')).toEqual([2, 1, 0]);
    expect(processes.map((p) => p.id)).toEqual([0, 1, 2]);
  });

  it('refuses a field or an order it does not know, naming what it takes (exit 2)', () => {
    for (const text of ['size', 'name:up', 'name:asc:x', '']) {
      let error: unknown;
      try {
        parseProcessSort(text);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT, data: { exitCode: 2 } });
      expect((error as Error).message).toBe(
        `--sort ${JSON.stringify(text)}: expected one of name, id, pid, status, cpu, memory, uptime, restarts, optionally followed by :asc or :desc (e.g. memory:desc)`,
      );
    }
  });
});

describe("PM2's restart/reload --parallel and trigger <app> <action>", () => {
  it('refuse --parallel saying what restart and reload do instead', () => {
    for (const command of ['reload', 'restart']) {
      for (const argv of [
        ['api', '--parallel', '2'],
        ['api', '--parallel=2'],
      ]) {
        expect(() => parseCommandArgs(findCommand(command)!, argv)).toThrow(
          `unknown option --parallel for velos ${command}; PM2's --parallel: velos restart <target> restarts all its processes at once, velos reload <target> replaces them one at a time (no downtime)`,
        );
      }
    }
    // other unknown options keep the hint about an app named like an option
    expect(() => parseCommandArgs(findCommand('reload')!, ['api', '--bogus'])).toThrow(
      'to name an app called "--bogus", put it after --',
    );
  });

  it("turn the daemon's 'not a job' into a line about PM2's custom actions; other errors pass", () => {
    const notJob = new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      "'api' is not a job (start one with type: job, --schedule, --every or --timeout)",
      { data: { target: 'api' } },
    );
    const hinted = withPm2ActionHint(notJob, ['api', 'foo']) as VelosError;
    expect(hinted.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(hinted.message).toBe(
      "'api' is not a job (start one with type: job, --schedule, --every or --timeout); PM2's custom actions (as in pm2 trigger api foo) are not supported: velos trigger runs jobs; to make a running app act, send it a signal (velos signal SIGUSR2 api) and handle it in the app",
    );
    expect(withPm2ActionHint(notJob, ['api'])).toBe(notJob);
    const other = new VelosError(ErrorCodes.TARGET_NOT_FOUND, "no process matches 'foo'");
    expect(withPm2ActionHint(other, ['api', 'foo'])).toBe(other);
  });
});
