import { ErrorCodes, findCommand, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { VELOS_TOOLS } from '../src/server.js';
import { errorLine, toolMeta, withoutEmpty } from '../src/tool-kit.js';

describe('tool definitions', () => {
  it('take description and annotations from their command in the protocol table', () => {
    for (const tool of VELOS_TOOLS) {
      const command = findCommand(tool.command);
      expect(command, tool.name).toBeDefined();
      const meta = toolMeta(tool);
      expect(meta.description.startsWith(tool.description ?? command!.description)).toBe(true);
      expect(meta.annotations).toMatchObject({
        readOnlyHint: command!.isReadOnly,
        destructiveHint: command!.isDestructive,
        idempotentHint: command!.isIdempotent,
      });
    }
  });

  it('promise no option or view they do not take (process_start replace, log_summary views)', () => {
    const meta = (name: string) => toolMeta(VELOS_TOOLS.find((tool) => tool.name === name)!).description;
    for (const tool of VELOS_TOOLS) {
      const { description } = toolMeta(tool);
      for (const option of ['replace', 'view', 'force'])
        if (new RegExp(`\\b${option}\\b`).test(description))
          expect(tool.input, `${tool.name}: ${option}`).toHaveProperty(option);
    }
    // and the other way round: a tool that takes force says what it does in its description (job_trigger
    // named it in the argument only)
    for (const tool of VELOS_TOOLS)
      if (tool.input !== undefined && 'force' in tool.input)
        expect(toolMeta(tool).description, tool.name).toMatch(/\bforce\b/);
    expect(meta('job_trigger')).toContain('force runs it anyway');
    expect(meta('log_summary')).not.toMatch(/patterns|dedupe/);
    // metrics.history's log rate is REST's: metrics_history answers mem, cpu and r
    expect(meta('metrics_history')).not.toMatch(/log rate/);
    // a search does not read older files that cannot hold newer matches: its omitted is a floor
    expect(meta('log_search')).toMatch(/omitted\? \(older matches left out [^)]*, at least:/);
    // log_read answers a list, or {lines, omitted} when the byte limit cut it: both forms are named
    expect(meta('log_read')).toContain('{lines, omitted}');
  });

  it('describe themselves in sentences, without the spec requirement ids (OBS-4:) an agent cannot use', () => {
    for (const tool of VELOS_TOOLS) {
      const { description } = toolMeta(tool);
      expect(description, tool.name).not.toMatch(/\b[A-Z]+-\d+:/);
      expect(description, tool.name).toMatch(/^[A-Z]/);
      // each part ends its sentence before the next begins ("per process Keys:" read as one)
      expect(description, tool.name).not.toMatch(/[a-z] Keys:/);
    }
  });

  it('are 20, with unique names, the 13 of the design among them', () => {
    const names = VELOS_TOOLS.map((tool) => tool.name);
    expect(new Set(names).size).toBe(20);
    for (const name of [
      'process_list',
      'process_start',
      'process_stop',
      'process_restart',
      'process_delete',
      'process_info',
      'log_read',
      'log_search',
      'log_summary',
      'health_check',
      'config_get',
      'config_set',
      'metrics_snapshot',
    ])
      expect(names).toContain(name);
  });
});

describe('errorLine', () => {
  it('is CODE: message on one line; an unknown throw is INTERNAL', () => {
    expect(errorLine(new VelosError(ErrorCodes.TARGET_NOT_FOUND, "no process matches 'x'\n  try list"))).toBe(
      "TARGET_NOT_FOUND: no process matches 'x' try list",
    );
    expect(errorLine(new Error('boom'))).toBe('INTERNAL: boom');
  });
});

describe('withoutEmpty', () => {
  it('drops null, undefined, empty arrays and empty objects, deeply', () => {
    expect(
      withoutEmpty({ a: 1, b: null, c: [], d: {}, e: { f: undefined, g: 0 }, h: [{ i: null }] }),
    ).toEqual({
      a: 1,
      e: { g: 0 },
      h: [{}],
    });
  });
});
