import { ErrorCodes, type VelosControl, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { VELOS_TOOLS } from '../src/server.js';
import { argumentsError } from '../src/tool-arguments.js';
import { callTool } from './call-tool.js';

/** The error line of `args` for tool `name`, as the server words it (null when they fit). */
function lineOf(name: string, args: Record<string, unknown>): string | null {
  const tool = VELOS_TOOLS.find((each) => each.name === name)!;
  const parsed = z.strictObject(tool.input).safeParse(args);
  return parsed.success ? null : argumentsError(parsed.error, args, Object.keys(tool.input)).message;
}

/** The text of the answer of tool `name` to `args` on a server over `control`. */
async function callLine(control: VelosControl, name: string, args: Record<string, unknown>): Promise<string> {
  return (await callTool(control, name, args)).content[0]!.text;
}

describe('argumentsError', () => {
  it('names the argument, what it expects and what was given, on one line', () => {
    expect(lineOf('process_start', { script: 5 })).toBe('script: expected a string, got 5');
    expect(lineOf('process_stop', {})).toBe('target: required, expected a string');
    expect(lineOf('log_search', { target: 'a', limit: -1 })).toBe('limit: expected a number >= 1, got -1');
    expect(lineOf('log_search', { target: 'a', limit: 20_000 })).toBe(
      'limit: expected a number <= 10000, got 20000',
    );
    expect(lineOf('log_search', { target: 'a', limit: 1.5 })).toBe('limit: expected an integer, got 1.5');
    expect(lineOf('log_search', { target: 'a', pattern: 'x'.repeat(1001) })).toBe(
      'pattern: expected at most 1000 characters, got 1001',
    );
    expect(lineOf('log_search', { target: '' })).toBe('target: expected at least 1 character, got 0');
    expect(lineOf('process_list', { detail: 'all' })).toBe(
      'detail: expected one of "brief", "full", got "all"',
    );
    expect(lineOf('process_start', { script: 'a.js', env: { A: 1 } })).toBe(
      'env.A: expected a string, got 1',
    );
    expect(lineOf('events_list', { kinds: ['process', 3] })).toBe('kinds[1]: expected a string, got 3');
    expect(lineOf('process_scale', { name: 'a', instances: 'three' })).toBe(
      'instances: expected a whole number N (1 to 1024), +N or -N, got "three"',
    );
    expect(lineOf('config_set', { target: 'a', changes: 5 })).toBe('changes: expected an object, got 5');
    expect(lineOf('log_search', { target: 'a', ignoreCase: 'yes' })).toBe(
      'ignoreCase: expected true or false, got "yes"',
    );
    expect(lineOf('process_scale', { name: 'a', instances: 1.5 })).toBe(
      'instances: expected an integer or a string, got 1.5',
    );
  });

  it("names a target past the daemon's 200 characters, however long (not the payload limit of its command)", () => {
    const huge = 'x'.repeat(70_000);
    for (const [tool, args] of [
      ['process_info', { target: huge }],
      ['log_search', { target: huge }],
      ['events_list', { target: huge }],
      ['config_set', { target: huge, changes: { a: 1 } }],
    ] as const) {
      expect(lineOf(tool, args)).toBe('target: expected at most 200 characters, got 70000');
    }
    expect(lineOf('process_scale', { name: huge, instances: 2 })).toBe(
      'name: expected at most 200 characters, got 70000',
    );
    expect(lineOf('process_info', { target: 'x'.repeat(200) })).toBeNull();
  });

  it('wants a unit on a span and names its bound (a bare number would be milliseconds)', async () => {
    const analyzeLogs = async () => ({ view: 'summary', lines: 0 });
    const metricsHistory = async () => [];
    const control = { analyzeLogs, metricsHistory } as unknown as VelosControl;
    expect(await callLine(control, 'log_summary', { target: 'api', period: '60' })).toBe(
      'INVALID_ARGUMENT: period: add a unit to "60": s, m, h or d (e.g. 1h)',
    );
    expect(await callLine(control, 'log_summary', { target: 'api', period: '1000d' })).toBe(
      'INVALID_ARGUMENT: period: expected a duration up to 365d like 30m, 1h or 1d, got "1000d"',
    );
    expect(await callLine(control, 'log_summary', { target: 'api', period: 'soon' })).toBe(
      'INVALID_ARGUMENT: period: expected a duration like 30m, 1h or 1d, got "soon"',
    );
    expect(await callLine(control, 'metrics_history', { target: 'api', since: '90' })).toBe(
      'INVALID_ARGUMENT: since: add a unit to "90": s, m, h or d (e.g. 1h)',
    );
    expect(await callLine(control, 'metrics_history', { target: 'api', since: '25h' })).toBe(
      'INVALID_ARGUMENT: since: expected a duration up to 24h like 10m, 1h or 24h, got "25h"',
    );
    expect(await callLine(control, 'metrics_history', { target: 'api', since: '2h' })).toBe('[]');
  });

  it("says a daemon's error about a field by the tool's argument, without the protocol command", async () => {
    const detail =
      'expected a time at or before until; since 2026-12-07T00:00:20Z is later than until 2026-12-07T00:00:00Z';
    const searchLogs = async () => {
      throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `logs.search: since: ${detail}`, {
        data: { field: 'since', detail },
      });
    };
    const control = { searchLogs } as unknown as VelosControl;
    expect(await callLine(control, 'log_search', { target: 'api', since: '10s', until: '30s' })).toBe(
      `INVALID_ARGUMENT: since: ${detail}`,
    );
  });

  it("echoes log_summary's period as it used it, not as it was written", async () => {
    const asked: number[] = [];
    const analyzeLogs = async (request: { periodMs: number }) => {
      asked.push(request.periodMs);
      const summary = { lines: 0, levels: {}, health: 100, templates: 0, top: [], anomalies: [] };
      return { app: 'api', view: 'summary', scanned: { lines: 0, files: [] }, summary };
    };
    const control = { analyzeLogs } as unknown as VelosControl;
    const perOf = async (period?: string) =>
      JSON.parse(await callLine(control, 'log_summary', { target: 'api', ...(period ? { period } : {}) }))
        .per;
    expect(await perOf('300s')).toBe('5m');
    expect(await perOf(' 5M ')).toBe('5m');
    expect(await perOf('1.5h')).toBe('90m');
    expect(await perOf('24h')).toBe('1d');
    expect(await perOf('90s')).toBe('90s');
    expect(await perOf()).toBe('1h');
    expect(asked).toEqual([300_000, 300_000, 5_400_000, 86_400_000, 90_000, 3_600_000]);
  });

  it('names an argument the tool does not take, with the ones it does', () => {
    expect(lineOf('log_read', { target: 'a', grep: 'timeout' })).toBe(
      'grep: unknown argument (expected target, lines, level, stream)',
    );
    expect(lineOf('alerts_list', { verbose: true })).toBe('verbose: unknown argument (it takes none)');
  });

  it('takes the instances of process_scale as a number too', () => {
    expect(lineOf('process_scale', { name: 'a', instances: 3 })).toBeNull();
    expect(lineOf('process_scale', { name: 'a', instances: '+1' })).toBeNull();
    expect(lineOf('process_scale', { name: 'a', instances: 0 })).toBe(
      'instances: expected a number >= 1, got 0',
    );
  });

  it('is an INVALID_ARGUMENT with the field in its data', () => {
    const parsed = z.object({ limit: z.number() }).safeParse({ limit: 'x' });
    const error = argumentsError(parsed.error!, { limit: 'x' });
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', data: { field: 'limit' } });
  });
});

describe('tools/call with arguments that do not fit the schema (the SDK client in memory)', () => {
  it('answers the one-line tool error CODE: message, never reaching the control', async () => {
    const control = new Proxy({} as VelosControl, {
      get:
        (_target, key) =>
        (...args: unknown[]) => {
          const given = args.length === 0 ? '' : ` with ${JSON.stringify(args)}`;
          return Promise.reject(new Error(`control.${String(key)} called${given}`));
        },
    });
    const call = (name: string, args: Record<string, unknown>) => callTool(control, name, args);
    const limit = await call('log_search', { target: 'api', limit: -1 });
    expect(limit).toEqual({
      content: [{ type: 'text', text: 'INVALID_ARGUMENT: limit: expected a number >= 1, got -1' }],
      isError: true,
    });
    const type = await call('process_start', { script: 5 });
    expect(type.content[0]!.text).toBe('INVALID_ARGUMENT: script: expected a string, got 5');
    const misspelt = await call('log_read', { target: 'api', grep: 'timeout' });
    expect(misspelt).toEqual({
      content: [
        {
          type: 'text',
          text: 'INVALID_ARGUMENT: grep: unknown argument (expected target, lines, level, stream)',
        },
      ],
      isError: true,
    });
    const unknown = await call('process_nope', {});
    expect(unknown).toMatchObject({ isError: true });
    expect(unknown.content[0]!.text).toMatch(/^UNKNOWN_COMMAND: no tool named "process_nope"; /);
    // arguments that fit reach the tool (here: a control that refuses everything)
    const fits = await call('process_list', {});
    expect(fits.content[0]!.text).toBe('INTERNAL: control.list called');
    const scaled = await call('process_scale', { name: 'api', instances: 3 });
    expect(scaled.content[0]!.text).toBe('INTERNAL: control.scale called with ["api","3"]');
  });
});
