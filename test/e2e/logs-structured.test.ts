import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, outLog, readLines, velosOk, waitFor, waitForStatus } from './helpers.js';

afterEach(cleanupHomes);

interface JsonLogLine {
  ts: number;
  stream: string;
  name: string;
  line: string;
  lvl?: string;
  fields?: Record<string, unknown>;
}

describe('structured JSON logs (LOG-5)', () => {
  it('parses the JSON lines of a --log-format json app: file records and velos logs --json', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/structured.js', '--name', 'pino', '--log-format', 'json'], { home });
    await waitForStatus(home, 'pino', 'online');
    await waitFor(() => readLines(outLog(home, 'pino')).length === 9, { message: 'nine records' });

    const records = readLines(outLog(home, 'pino')).map(
      (text) => JSON.parse(text) as Record<string, unknown>,
    );
    expect(records[0]).toMatchObject({
      ts: '2026-01-02T03:04:05.006Z',
      lvl: 'info',
      msg: 'server started',
      src: 'out',
      fields: { port: 8080 },
    });
    expect(records[1]).toMatchObject({ lvl: 'info', msg: 'plain line one' });
    expect(records[1]).not.toHaveProperty('fields');
    expect(records[2]).toMatchObject({
      lvl: 'error',
      msg: 'db failed',
      fields: { err: { code: 'ECONNREFUSED' } },
    });

    const shown = await velosOk(['logs', 'pino', '--json', '--lines', '20'], { home });
    const lines = shown.stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as JsonLogLine);
    const out = lines.filter((line) => line.stream === 'out');
    expect(out.map((line) => [line.lvl, line.line])).toEqual([
      ['info', 'server started'],
      ['info', 'plain line one'],
      ['error', 'db failed'],
      ['warn', 'slow request'],
      ['debug', 'cache miss'],
      ['trace', 'trace detail'],
      ['fatal', 'out of memory'],
      ['error', 'ERROR: no level field here'],
      ['info', 'plain line two'],
    ]);
    expect(out[0]!.ts).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(out[3]!.fields).toEqual({ ms: 1234 });
    expect(lines.find((line) => line.stream === 'err')).toMatchObject({
      lvl: 'warn',
      line: 'on stderr',
      fields: { where: 'err' },
    });

    const text = await velosOk(['logs', 'pino', '--out', '--lines', '9'], { home });
    expect(text.stdout).toContain('pino | slow request ms=1234');
    expect(text.stdout).toContain('pino | db failed err={"code":"ECONNREFUSED"}');
  });
});
