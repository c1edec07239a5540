import type { LogLine } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createLogResume } from '../../src/follow/log-resume.js';

/** A line of process `id` (app `name`); `ts` as a tail read from a plain file gives it: the file's time. */
function line(id: number, text: string, over: Partial<LogLine> = {}): LogLine {
  return { ts: 1000, stream: 'out', id, name: 'api', pid: 10 + id, line: text, ...over };
}

const texts = (lines: LogLine[]) => lines.map((l) => l.line);

describe('log resume', () => {
  it('keeps the lines of the new tail after the last ones shown, whatever their times', () => {
    const resume = createLogResume(0);
    resume.seen(['a', 'b', 'c'].map((t) => line(0, t, { ts: 5000 })));
    resume.lost(6000);
    // read back from the file: every line carries the file's time
    const tail = ['x', 'a', 'b', 'c', 'd', 'e'].map((t) => line(0, t, { ts: 9000 }));
    expect(texts(resume.unseen(tail))).toEqual(['d', 'e']);
    // and what it added counts as shown
    expect(texts(resume.unseen(['c', 'd', 'e', 'f'].map((t) => line(0, t))))).toEqual(['f']);
  });

  it('matches per process and stream, and per app when instances share one file', () => {
    const resume = createLogResume(0);
    resume.seen([
      line(0, 'o1'),
      line(0, 'e1', { stream: 'err' }),
      line(1, 'i1'),
      line(0, 'o2'),
      line(1, 'i2'),
    ]);
    // a shared file: the tail shows every line under the first instance, in the file's order
    const tail = [
      line(0, 'o1'),
      line(0, 'i1'),
      line(0, 'o2'),
      line(0, 'i2'),
      line(0, 'new'),
      line(0, 'e1', { stream: 'err' }),
      line(0, 'e2', { stream: 'err' }),
    ];
    expect(texts(resume.unseen(tail))).toEqual(['new', 'e2']);
  });

  it('shows a repeated line twice rather than leave one out, and the whole tail when nothing is found', () => {
    const resume = createLogResume(0);
    resume.seen(['tick', 'tick'].map((t) => line(0, t)));
    expect(texts(resume.unseen(['tick', 'tick', 'tick'].map((t) => line(0, t))))).toEqual(['tick']);
    // more lines were written meanwhile than the tail holds: all of it is new
    expect(texts(resume.unseen(['p', 'q'].map((t) => line(0, t))))).toEqual(['p', 'q']);
  });

  it('gives a process with no line shown only the lines later than the loss', () => {
    const resume = createLogResume(0);
    resume.seen([line(0, 'a', { ts: 5000 })]);
    resume.lost(6000);
    const tail = [line(2, 'old', { ts: 4000, name: 'web' }), line(2, 'fresh', { ts: 7000, name: 'web' })];
    expect(texts(resume.unseen(tail))).toEqual(['fresh']);
  });
});
