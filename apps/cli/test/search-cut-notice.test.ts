import { describe, expect, it } from 'vitest';
import { searchCutNotice } from '../src/commands/logs-engine.js';

describe('searchCutNotice', () => {
  it('says how to see more matches, not a tail of the file (which prints other lines)', () => {
    expect(searchCutNotice({ omittedLines: 3758, limit: 3, files: ['/h/logs/mix-err.log'] })).toBe(
      'velos logs: the newest matches are shown: at least 3758 older matches left out (a larger --limit shows more)\n',
    );
    // the flag the command line gave: `velos logs api --since 1h --lines 3` set the matches with --lines
    expect(searchCutNotice({ omittedLines: 35, limit: 3, files: [] }, '--lines')).toBe(
      'velos logs: the newest matches are shown: at least 35 older matches left out (a larger --lines shows more)\n',
    );
    expect(searchCutNotice({ omittedLines: 1, maxBytes: 4 * 1024 * 1024, files: [] })).toBe(
      'velos logs: the newest matches are shown: at least 1 older match left out (an answer holds at most 4M of lines: narrow the search with --since, --until or --grep)\n',
    );
  });
});
