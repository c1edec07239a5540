import type { LogLine, LogsSearchRequest, LogsSearchResult, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';

/** A line of app `name` at `ts`. */
function line(name: string, id: number, ts: number, text: string): LogLine {
  return { ts, stream: 'out', id, name, pid: null, line: text };
}

/** Calls log_search with `args` on a server whose control answers `lines`; gives the request and the answer. */
async function search(
  args: Record<string, unknown>,
  lines: LogLine[],
): Promise<{ request: LogsSearchRequest | undefined; answer: { lines: Record<string, string>[] } }> {
  let request: LogsSearchRequest | undefined;
  const control = {
    searchLogs: async (given: LogsSearchRequest): Promise<LogsSearchResult> => {
      request = given;
      return { lines, scanned: { lines: lines.length, files: [] } };
    },
  } as unknown as VelosControl;
  const result = await callTool(control, 'log_search', args);
  return { request, answer: JSON.parse(result.content[0]!.text) };
}

describe('log_search over several apps', () => {
  it('passes the target on and names the app of each line when the matches are of several apps', async () => {
    const { request, answer } = await search({ target: 'all', level: 'error' }, [
      line('api', 0, 1000, 'ERROR a'),
      line('worker', 2, 2000, 'ERROR b'),
    ]);
    expect(request).toMatchObject({ target: 'all', level: 'error' });
    expect(answer.lines.map((each) => `${each.a} ${each.m}`)).toEqual(['api ERROR a', 'worker ERROR b']);
  });

  it('takes level trace, a level a line can have, as the log engine reads it: debug', async () => {
    const { request } = await search({ target: 'all', level: 'trace' }, []);
    expect(request).toMatchObject({ target: 'all', level: 'debug' });
  });

  it('leaves the app out when every line is of one app', async () => {
    const { answer } = await search({ target: 'api' }, [
      line('api', 0, 1000, 'x'),
      line('api', 0, 2000, 'y'),
    ]);
    expect(answer.lines.map((each) => each.a)).toEqual([undefined, undefined]);
  });
});

describe('log lines of a coloured logger', () => {
  it('answers their messages without the terminal escape sequences', async () => {
    const { answer } = await search({ target: 'api' }, [
      line(
        'api',
        0,
        1000,
        '\u001b[32minfo\u001b[39m: listening \u001b]8;;http://x\u0007link\u001b]8;;\u0007',
      ),
    ]);
    expect(answer.lines.map((each) => each.m)).toEqual(['info: listening link']);
  });

  it('answers them without the sequences begun by CSI (U+009B) either', async () => {
    const { answer } = await search({ target: 'api' }, [
      line('api', 0, 1000, '\u009b32minfo\u009b39m: listening'),
    ]);
    expect(answer.lines.map((each) => each.m)).toEqual(['info: listening']);
  });
});
