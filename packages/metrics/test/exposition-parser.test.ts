import { describe, expect, it } from 'vitest';
import { ExpositionSyntaxError, parseExposition } from '../src/index.js';

describe('parseExposition', () => {
  it('reads HELP, TYPE, escaped label values, timestamps and special values', () => {
    const families = parseExposition(
      [
        '# HELP http_requests_total Requests\\nby code, with a \\\\ backslash.',
        '# TYPE http_requests_total counter',
        'http_requests_total{code="200",path="/a \\"b\\"\\\\c\\nd"} 1027 1395066363000',
        'http_requests_total{ code = "500" , } 3',
        '# a comment',
        'temperature -Inf',
        'ratio NaN',
        'big 1.5e+10',
      ].join('\n'),
    );
    const requests = families.find((f) => f.name === 'http_requests_total')!;
    expect(requests.type).toBe('counter');
    expect(requests.help).toBe('Requests\nby code, with a \\ backslash.');
    expect(requests.samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { code: '200', path: '/a "b"\\c\nd' },
      value: 1027,
    });
    expect(requests.samples[1]?.labels).toEqual({ code: '500' });
    expect(families.find((f) => f.name === 'temperature')).toMatchObject({
      type: 'untyped',
      samples: [{ value: -Infinity }],
    });
    expect(Number.isNaN(families.find((f) => f.name === 'ratio')!.samples[0]!.value)).toBe(true);
    expect(families.find((f) => f.name === 'big')!.samples[0]!.value).toBe(1.5e10);
  });

  it('reads an OpenMetrics answer as the text format has it: no _created, a counter named x_total', () => {
    const families = parseExposition(
      [
        '# TYPE om_requests counter',
        '# UNIT om_requests requests',
        '# HELP om_requests Requests.',
        'om_requests_total{path="/a"} 5',
        'om_requests_created{path="/a"} 1.7e9',
        '# TYPE om_lat histogram',
        'om_lat_bucket{le="+Inf"} 2',
        'om_lat_count 2',
        'om_lat_sum 0.5',
        'om_lat_created 1.7e9',
        '# EOF',
      ].join('\n'),
    );
    expect(families.map((f) => [f.name, f.type, f.help, f.samples.map((sample) => sample.name)])).toEqual([
      ['om_requests_total', 'counter', 'Requests.', ['om_requests_total']],
      [
        'om_lat',
        'histogram',
        'om_lat (no HELP given by the app).',
        ['om_lat_bucket', 'om_lat_count', 'om_lat_sum'],
      ],
    ]);
  });

  it('groups histogram and summary samples under their family', () => {
    const families = parseExposition(
      [
        '# TYPE rpc_seconds histogram',
        'rpc_seconds_bucket{le="0.5"} 1',
        'rpc_seconds_bucket{le="+Inf"} 2',
        'rpc_seconds_sum 0.9',
        'rpc_seconds_count 2',
        '# TYPE gc_seconds summary',
        'gc_seconds{quantile="0.5"} 0.01',
        'gc_seconds_sum 0.3',
        'gc_seconds_count 20',
      ].join('\n'),
    );
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['rpc_seconds', 'histogram', 4],
      ['gc_seconds', 'summary', 3],
    ]);
    expect(families[0]!.help).toContain('no HELP');
  });

  it.each([
    ['metric{code="200" 1', 'expected , or }'],
    ['metric{code=200} 1', 'expected ="..."'],
    ['metric{code="200} 1', 'unterminated'],
    ['metric twelve', 'bad value'],
    ['metric 1 2 3', 'expected a value'],
    ['metric 1 soon', 'bad timestamp'],
    ['{code="1"} 1', 'expected a metric name'],
    ['# TYPE metric kind', 'unknown type'],
    ['metric{a="1",a="2"} 1', 'repeated'],
  ])('refuses %j with the line number', (line, reason) => {
    const error = (() => {
      try {
        parseExposition(`ok 1\n${line}\n`);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ExpositionSyntaxError);
    expect((error as ExpositionSyntaxError).line).toBe(2);
    expect((error as Error).message).toContain(reason);
  });
});
