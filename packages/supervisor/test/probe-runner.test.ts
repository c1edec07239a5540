import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NESTED_DEFAULTS, type ProbeSpec } from '@velos/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ProbeHandle, STARTING_CHECK_MS, startProbe } from '../src/probes/probe-runner.js';
import { waitFor } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-probe-runner-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An exec probe that appends a line to `runs` each time and passes once `flag` exists. */
function flagProbe(dir: string, timing: Partial<ProbeSpec>): ProbeSpec {
  return {
    kind: 'exec',
    command: `echo x >> '${join(dir, 'runs')}'; test -f '${join(dir, 'flag')}'`,
    intervalMs: 5000,
    timeoutMs: 2000,
    failureThreshold: 3,
    successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
    initialDelayMs: 0,
    ...timing,
  } as ProbeSpec;
}

function run(
  probe: ProbeSpec,
  dir: string,
): { results: { at: number; passed: boolean }[]; runs: () => number } {
  const results: { at: number; passed: boolean }[] = [];
  const handle: ProbeHandle = startProbe(
    probe,
    { cwd: dir, env: { PATH: process.env.PATH ?? '' } },
    (reason) => results.push({ at: Date.now(), passed: reason === null }),
  );
  cleanups.push(() => handle.stop());
  const runs = () => {
    try {
      return readFileSync(join(dir, 'runs'), 'utf8').split('\n').length - 1;
    } catch {
      return 0;
    }
  };
  return { results, runs };
}

describe('startProbe while its process starts', () => {
  it('checks again within a second after a failure, so a program that listens late is healthy at once', async () => {
    const dir = tempDir();
    const started = Date.now();
    const { results } = run(flagProbe(dir, { intervalMs: 10_000 }), dir);
    await waitFor(() => (results.length === 1 ? true : null), { what: 'the first check' });
    expect(results[0]?.passed).toBe(false);
    writeFileSync(join(dir, 'flag'), '');
    const passed = await waitFor(() => results.find((result) => result.passed) ?? null, {
      what: 'a pass',
      timeoutMs: 8000,
    });
    // the next check of the normal pace would be 10 s after the first
    expect(passed.at - started).toBeLessThan(10_000 - 1000);
    // the failures in between were not reported: one per interval, as before
    expect(results.map((result) => result.passed)).toEqual([false, true]);
  });

  it('reports a failing probe once per interval, and checks at the normal pace after its threshold time', async () => {
    const dir = tempDir();
    const intervalMs = 2000;
    const { results, runs } = run(flagProbe(dir, { intervalMs, failureThreshold: 2 }), dir);
    // starting: checks every second for intervalMs × failureThreshold = 4 s, one failure reported per 2 s
    await waitFor(() => (runs() >= 4 ? true : null), { what: 'four checks', timeoutMs: 10_000 });
    const reportedByThen = results.length;
    expect(reportedByThen).toBeLessThan(runs());
    expect(reportedByThen).toBeLessThanOrEqual(Math.ceil((runs() * STARTING_CHECK_MS) / intervalMs) + 1);
    expect(results.every((result) => !result.passed)).toBe(true);
    const gaps = results.slice(1).map((result, i) => result.at - results[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(intervalMs - 100);
  });

  it('reports failures per interval when the wall clock is stepped back while its process starts', async () => {
    const dir = tempDir();
    const intervalMs = 500;
    const { results } = run(flagProbe(dir, { intervalMs, failureThreshold: 3 }), dir);
    await waitFor(() => (results.length === 1 ? true : null), { what: 'the first check' });
    // NTP steps the clock back an hour (a machine that booted with its clock ahead): the probe's pace
    // is time passed, not the time of day, so its failures still count once per interval
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
    await waitFor(() => (results.length >= 3 ? true : null), {
      what: 'two more failures reported after the step',
      timeoutMs: 6000,
    });
    expect(results.map((result) => result.passed)).toEqual([false, false, false]);
  });
});
