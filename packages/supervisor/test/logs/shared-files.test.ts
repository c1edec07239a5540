import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../../src/supervisor.js';
import { appSpec, Harness, waitFor } from '../helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const LINES_PER_INSTANCE = 1500;

describe('logs of instances sharing one log file (#19 item 6)', () => {
  it('gives every line of the shared file once, in file order, also beyond the wrapped rings', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'multi',
        script: 'instance-lines.js',
        instances: 3,
        env: { COUNT: String(LINES_PER_INSTANCE) },
      }),
    ]);
    const [detail] = await supervisor.describe('multi');
    const outPath = detail!.outLogPath;
    const fileLines = () => readFileSync(outPath, 'utf8').split('\n').slice(0, -1);
    await waitFor(() => fileLines().length === 3 * LINES_PER_INSTANCE, { what: 'all lines in the file' });
    const file = fileLines();

    const last = await supervisor.logs({ target: 'multi', lines: 20 });
    expect(last.map((line) => line.line)).toEqual(file.slice(-20));

    // each ring holds 1000 of its instance's 1500 lines: the rest comes from the file, without a gap
    const everything = await supervisor.logs({ target: 'multi', lines: 10_000 });
    expect(everything.map((line) => line.line)).toEqual(file);

    // one instance: its own lines only (the file's lines cannot be told apart, its ring's can), in order
    const oneInstance = await supervisor.logsResult({ target: '1', lines: 5 });
    expect(oneInstance.lines.map((line) => line.line)).toEqual(
      Array.from({ length: 5 }, (_, i) => `i1 ${LINES_PER_INSTANCE - 4 + i}`),
    );
    expect(oneInstance.unattributed).toBeUndefined();
    // more than its ring holds: the last 1000 of its lines, and where the older ones are
    const beyond = await supervisor.logsResult({ target: '1', lines: 1200 });
    expect(beyond.lines.map((line) => line.line)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `i1 ${LINES_PER_INSTANCE - 999 + i}`),
    );
    expect(new Set(beyond.lines.map((line) => line.id))).toEqual(new Set([1]));
    expect(beyond.unattributed).toEqual([outPath]);
  });

  it('names the rotated file when the lines a ring no longer holds went there', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'wrapped',
        script: 'instance-lines.js',
        instances: 3,
        env: { COUNT: String(LINES_PER_INSTANCE) },
        // about 36 KB in all: one rotation, the current file keeps the newest ~6 KB (fewer lines than a ring)
        logMaxBytes: 30 * 1024,
        logCompress: false,
      }),
    ]);
    const logs = join(home, 'logs');
    const rotated = () => readdirSync(logs).filter((name) => /^wrapped-out\..*\.log$/.test(name));
    const lines = (name: string) => readFileSync(join(logs, name), 'utf8').split('\n').length - 1;
    await waitFor(
      () =>
        rotated().reduce((sum, name) => sum + lines(name), lines('wrapped-out.log')) ===
        3 * LINES_PER_INSTANCE,
      { what: 'every line in the files' },
    );
    expect(rotated()).toHaveLength(1);
    const result = await supervisor.logsResult({ target: '1', lines: 1200 });
    expect(result.lines).toHaveLength(1000);
    expect(result.unattributed).toEqual([join(logs, rotated()[0]!)]);
  });

  it('names the rotated file that holds the newest line the ring evicted, several rotations back', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'many',
        script: 'instance-lines.js',
        instances: 3,
        env: { COUNT: String(LINES_PER_INSTANCE) },
        // about 36 KB in 4 KB files: the 1,000 lines of instance 1's ring span several rotated files
        logMaxBytes: 4 * 1024,
        logRetain: 100,
        logCompress: false,
      }),
    ]);
    const logs = join(home, 'logs');
    const rotated = () => readdirSync(logs).filter((name) => /^many-out\..*\.log$/.test(name));
    const lines = (name: string) => readFileSync(join(logs, name), 'utf8').split('\n').slice(0, -1);
    await waitFor(
      () =>
        rotated().reduce((sum, name) => sum + lines(name).length, lines('many-out.log').length) ===
        3 * LINES_PER_INSTANCE,
      { what: 'every line in the files' },
    );
    // the ring holds i1 501 to i1 1500: the newest line it evicted is i1 500, not in the newest rotated file
    const evicted = `i1 ${LINES_PER_INSTANCE - 1000}`;
    const holder = rotated().find((name) => lines(name).includes(evicted));
    expect(holder).toBeDefined();
    const result = await supervisor.logsResult({ target: '1', lines: 1200 });
    expect(result.lines).toHaveLength(1000);
    expect(result.unattributed).toEqual([join(logs, holder!)]);
  });

  it('names the shared file of lines an earlier daemon wrote, which no ring holds (after velos update)', async () => {
    const home = harness.home();
    const outPath = join(home, 'logs', 'kept-out.log');
    mkdirSync(join(home, 'logs'), { recursive: true });
    writeFileSync(outPath, 'i0 1\ni1 1\n');
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, { name: 'kept', script: 'instance-lines.js', instances: 2, env: { COUNT: '0' } }),
    ]);
    const [detail] = await supervisor.describe('kept');
    expect(detail!.outLogPath).toBe(outPath);
    const result = await supervisor.logsResult({ target: '1', lines: 5 });
    expect(result.lines).toEqual([]);
    expect(result.unattributed).toEqual([outPath]);
  });

  it('names the rotated file that holds the lines an earlier daemon wrote once the shared file rotated (after velos update)', async () => {
    const home = harness.home();
    const outPath = join(home, 'logs', 'turned-out.log');
    mkdirSync(join(home, 'logs'), { recursive: true });
    writeFileSync(outPath, 'i0 0\ni1 0\n');
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'turned',
        script: 'instance-lines.js',
        instances: 2,
        env: { COUNT: '100' },
        logMaxBytes: 300,
        logRetain: 100,
        logCompress: false,
      }),
    ]);
    const logs = join(home, 'logs');
    const rotated = () => readdirSync(logs).filter((name) => /^turned-out\..*\.log$/.test(name));
    // 2 × 100 lines of 5–7 bytes: more than one rotation of 300 bytes
    const total = () =>
      [outPath, ...rotated().map((name) => join(logs, name))]
        .map((path) => readFileSync(path, 'utf8').split('\n').length - 1)
        .reduce((sum, lines) => sum + lines, 0);
    await waitFor(() => total() === 202, { what: 'every line in the files' });
    // the earlier daemon's lines went to the first rotated file, with the first of the new ones
    const holder = rotated()
      .sort()
      .find((name) => readFileSync(join(logs, name), 'utf8').startsWith('i0 0\ni1 0\n'));
    expect(holder).toBeDefined();
    const result = await supervisor.logsResult({ target: '1', lines: 500 });
    expect(result.lines).toHaveLength(100);
    expect(result.unattributed).toEqual([join(logs, holder!)]);
  });

  it('follows those lines into the gzipped file, and names no file once it is pruned', async () => {
    const home = harness.home();
    const logs = join(home, 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'zipped-out.log'), 'i0 0\ni1 0\n');
    writeFileSync(join(logs, 'pruned-out.log'), 'i0 0\ni1 0\n');
    const supervisor = harness.track(createSupervisor({ home }));
    const spec = (name: string, logRetain: number) =>
      appSpec(home, {
        name,
        script: 'instance-lines.js',
        instances: 2,
        env: { COUNT: '100' },
        logMaxBytes: 300,
        logRetain,
        logCompress: true,
      });
    await supervisor.start([spec('zipped', 100), spec('pruned', 1)]);
    const rotated = (name: string) =>
      readdirSync(logs).filter((file) => file.startsWith(`${name}-out.20`) && !file.endsWith('.tidx'));
    const earliest = (name: string) =>
      rotated(name)
        .filter((file) => file.endsWith('.gz'))
        .find((file) =>
          gunzipSync(readFileSync(join(logs, file)))
            .toString()
            .startsWith('i0 0\ni1 0\n'),
        );
    // compressed one at a time, oldest first: once the earliest is, the notice names its .gz
    const holder = await waitFor(() => earliest('zipped'), { what: 'the earliest rotated file gzipped' });
    await waitFor(
      async () =>
        (await supervisor.logsResult({ target: '1', lines: 500 })).unattributed?.[0] === join(logs, holder),
      { what: 'the notice naming the gzipped file' },
    );
    // retain 1: the files rotated first are deleted, the earlier daemon's lines with them
    await waitFor(() => rotated('pruned').length === 1 && !rotated('pruned')[0]!.endsWith('.log'), {
      what: 'one gzipped rotated file kept',
    });
    const [, pruned] = await supervisor.describe('pruned');
    expect(pruned!.id).toBeGreaterThan(0);
    await waitFor(
      async () =>
        (await supervisor.logsResult({ target: String(pruned!.id), lines: 500 })).unattributed === undefined,
      { what: 'no notice once the lines are pruned' },
    );
  });

  it('names no file when the ring holds every line of the instance (it printed fewer than asked for)', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, { name: 'few', script: 'instance-lines.js', instances: 2, env: { COUNT: '3' } }),
    ]);
    const [detail] = await supervisor.describe('few');
    const fileLines = () => readFileSync(detail!.outLogPath, 'utf8').split('\n').length - 1;
    await waitFor(() => fileLines() === 6, { what: "both instances' lines in the file" });
    const result = await supervisor.logsResult({ target: '1', lines: 15 });
    expect(result.lines.map((line) => line.line)).toEqual(['i1 1', 'i1 2', 'i1 3']);
    // the file's other lines are instance 0's: instance 1 has no older lines anywhere
    expect(result.unattributed).toBeUndefined();
  });

  it('names the shared file when an instance kept its id but got a new ring (its app started again with a log_date_format)', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const spec = appSpec(home, {
      name: 'again',
      script: 'instance-lines.js',
      instances: 2,
      env: { COUNT: '3' },
    });
    await supervisor.start([spec]);
    const [detail] = await supervisor.describe('again');
    const fileLines = () => readFileSync(detail!.outLogPath, 'utf8').split('\n').length - 1;
    await waitFor(() => fileLines() === 6, { what: "the first run's lines in the file" });
    await supervisor.stop('again');
    await supervisor.start([{ ...spec, logDateFormat: 'YYYY' }]);
    await waitFor(() => fileLines() === 12, { what: "the second run's lines in the file" });
    const result = await supervisor.logsResult({ target: '1', lines: 15 });
    expect(result.lines.map((line) => line.line)).toEqual(['i1 1', 'i1 2', 'i1 3']);
    expect(result.unattributed).toEqual([detail!.outLogPath]);
  });

  it('keeps separate files of separate apps apart and merges them by time', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, { name: 'a', script: 'instance-lines.js', env: { COUNT: '30' } }),
      appSpec(home, { name: 'b', script: 'instance-lines.js', env: { COUNT: '30' } }),
    ]);
    await waitFor(async () => (await supervisor.logs({ lines: 100 })).length === 60, { what: '60 lines' });
    const all = await supervisor.logs({ lines: 100 });
    expect(all.filter((line) => line.name === 'a').map((line) => line.line)).toEqual(
      Array.from({ length: 30 }, (_, i) => `i0 ${i + 1}`),
    );
    expect(new Set(all.map((line) => `${line.name} ${line.line}`)).size).toBe(60);
    expect(readFileSync(join(home, 'logs', 'a-out.log'), 'utf8').split('\n')).toHaveLength(31);
  });
});
