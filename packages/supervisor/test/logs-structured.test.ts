import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLineClassifier } from '../src/log-levels.js';
import { exited, fileLines, Harness, waitFor } from './logs/helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** What structured.js prints on stdout, as each line must come out (file record and LogLine). */
const EXPECTED = [
  { ts: '2026-01-02T03:04:05.006Z', lvl: 'info', msg: 'server started', fields: { pid: -1, port: 8080 } },
  { lvl: 'info', msg: 'plain line one' },
  {
    ts: '2026-01-02T03:04:06.000Z',
    lvl: 'error',
    msg: 'db failed',
    fields: { err: { code: 'ECONNREFUSED' } },
  },
  { ts: '2026-01-02T03:04:07.000Z', lvl: 'warn', msg: 'slow request', fields: { ms: 1234 } },
  { lvl: 'debug', msg: 'cache miss', fields: { key: 'user:1' } },
  { lvl: 'trace', msg: 'trace detail' },
  { ts: '2026-01-02T03:04:08.000Z', lvl: 'fatal', msg: 'out of memory' },
  { lvl: 'error', msg: 'ERROR: no level field here', fields: { user: 'bob' } },
  { lvl: 'info', msg: 'plain line two' },
];

function expectedFor(pid: number) {
  return EXPECTED.map((line) =>
    line.fields && 'pid' in line.fields ? { ...line, fields: { ...line.fields, pid } } : line,
  );
}

function asExpected(line: LogLine) {
  const own = Math.abs(line.ts - Date.now()) > 60_000 ? { ts: new Date(line.ts).toISOString() } : {};
  return { ...own, lvl: line.lvl, msg: line.line, ...(line.fields ? { fields: line.fields } : {}) };
}

describe('structured JSON lines (LOG-5)', () => {
  it('keeps the level, message, own time and fields of JSON lines in the file, tails and live lines', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    // A ring of 3 lines: a tail of 9 reads 6 lines back from the file, 3 from the ring.
    const logs = harness.pipeline({
      id: 0,
      name: 'api',
      outPath,
      errPath,
      format: 'json',
      ringLines: 3,
      classify: await loadLineClassifier(),
    });
    const live: LogLine[] = [];
    logs.subscribe((lines) => live.push(...lines));
    const child = harness.spawn('structured.js', { EXIT: '1' });
    const startedAt = Date.now();
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    const expected = expectedFor(child.pid);

    const records = (await fileLines(outPath)).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(records.map(({ ts, pid, src, ...rest }) => rest)).toEqual(expected.map(({ ts, ...rest }) => rest));
    records.forEach((record, i) => {
      expect(record).toMatchObject({ pid: child.pid, src: 'out' });
      const own = expected[i]!.ts;
      if (own) expect(record.ts).toBe(own);
      else expect(Date.parse(record.ts as string)).toBeGreaterThanOrEqual(startedAt - 1);
    });
    const [errRecord] = (await fileLines(errPath)).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(errRecord).toMatchObject({ lvl: 'warn', msg: 'on stderr', src: 'err', fields: { where: 'err' } });

    const tail = await logs.tail({ lines: 9, stream: 'out' });
    expect(tail.map(asExpected)).toEqual(expected);
    await waitFor(() => live.length === 10, 'ten live lines');
    expect(live.filter((line) => line.stream === 'out').map(asExpected)).toEqual(expected);
  });

  it('leaves plain-format apps as they were: JSON text is a line like any other', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 1,
      name: 'plain',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const child = harness.spawn('structured.js', { EXIT: '1' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    const lines = await fileLines(outPath);
    expect(lines[1]).toBe('plain line one');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'server started' });
    const tail = await logs.tail({ lines: 2, stream: 'out' });
    expect(tail.map((line) => [line.line, line.lvl, line.fields])).toEqual([
      ['{"user":"bob","msg":"ERROR: no level field here"}', undefined, undefined],
      ['plain line two', undefined, undefined],
    ]);
  });

  it("reads the log engine's JSON keys: hclog, .NET's JSON console, MongoDB, Rust tracing; a trace stays one", async () => {
    const { structure } = await loadLineClassifier();
    const cases: [string, { ts?: number; lvl: string; msg: string }][] = [
      [
        '{"@level":"warn","@message":"lease expired","@module":"vault","@timestamp":"2026-12-07T10:00:00.000Z"}',
        { ts: Date.parse('2026-12-07T10:00:00.000Z'), lvl: 'warn', msg: 'lease expired' },
      ],
      [
        '{"@level":"trace","@message":"polling","@timestamp":"2026-12-07T10:00:00.000Z"}',
        { lvl: 'trace', msg: 'polling' },
      ],
      [
        '{"EventId":14,"LogLevel":"Error","Category":"App","Message":"db down"}',
        { lvl: 'error', msg: 'db down' },
      ],
      ['{"LogLevel":"Trace","Category":"App","Message":"tick"}', { lvl: 'trace', msg: 'tick' }],
      [
        '{"t":{"$date":"2026-12-07T10:00:00.000+00:00"},"s":"W","c":"NETWORK","id":1,"msg":"slow"}',
        { ts: Date.parse('2026-12-07T10:00:00.000Z'), lvl: 'warn', msg: 'slow' },
      ],
      [
        '{"timestamp":"2026-12-07T10:00:00.000Z","level":"TRACE","fields":{"message":"span entered"},"target":"app"}',
        { lvl: 'trace', msg: 'span entered' },
      ],
      // a number is no trace in an HTTP status
      ['{"level":"debug","msg":"probe","status":12}', { lvl: 'debug', msg: 'probe' }],
    ];
    for (const [line, expected] of cases) expect(structure?.(line), line).toMatchObject(expected);
  });
});
