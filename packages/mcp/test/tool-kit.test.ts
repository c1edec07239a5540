import { ErrorCodes, findCommand, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { VELOS_TOOLS } from '../src/server.js';
import { errorLine, toolMeta, withoutEmpty } from '../src/tool-kit.js';
import { compactSummary } from '../src/tools/log-tools.js';

describe('tool definitions', () => {
  it('take description and annotations from their command in the protocol table', () => {
    for (const tool of VELOS_TOOLS) {
      const command = findCommand(tool.command);
      expect(command, tool.name).toBeDefined();
      const meta = toolMeta(tool);
      expect(meta.description.startsWith(command!.description)).toBe(true);
      expect(meta.annotations).toMatchObject({
        readOnlyHint: command!.isReadOnly,
        destructiveHint: command!.isDestructive,
        idempotentHint: command!.isIdempotent,
      });
    }
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

  it('are 19, with unique names, the 13 of the design among them', () => {
    const names = VELOS_TOOLS.map((tool) => tool.name);
    expect(new Set(names).size).toBe(19);
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

describe('compactSummary', () => {
  it('writes the engine summary in short keys, stable trends left out', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const compact = compactSummary(
      {
        app: 'api',
        view: 'summary',
        scanned: { lines: 10, files: [] },
        analyzedLines: 10,
        sampleRate: 1,
        text: '',
        summary: {
          lines: 10,
          levels: { info: 8, error: 2 },
          health: 87,
          templates: 2,
          top: [
            { id: 1, template: 'GET <path>', count: 8, level: 'info', trend: 'stable', sample: 'GET /' },
            {
              id: 2,
              template: 'timeout <dur>',
              count: 2,
              level: 'error',
              trend: 'rising',
              sample: 'timeout 5s',
            },
          ],
          anomalies: [],
          lastError: { at: now - 120_000, level: 'error', message: 'timeout 5s' },
        },
      },
      '1h',
      now,
    );
    expect(compact).toEqual({
      app: 'api',
      per: '1h',
      h: 87,
      n: 10,
      lv: { info: 8, error: 2 },
      tpl: 2,
      top: [
        { t: 'GET <path>', c: 8, l: 'info' },
        { t: 'timeout <dur>', c: 2, l: 'error', tr: 'rising' },
      ],
      err: { m: 'timeout 5s', ago: '2m' },
    });
  });
});
