import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTimeIndex, readTimeIndexTail } from '../../src/log-insights/time-lookup.js';
import { FileWriter } from '../../src/logs/file-writer.js';
import { listRotated, pruneRotated } from '../../src/logs/log-rotation.js';
import { TimeIndexWriter } from '../../src/logs/time-index.js';
import { besideTimeIndexPath, timeIndexPath } from '../../src/logs/time-index-path.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A home's logs dir and a directory outside it, both empty. */
function layout(): { logs: string; outside: string } {
  const root = mkdtempSync(join(tmpdir(), 'velos-tidx-home-'));
  dirs.push(root);
  const logs = join(root, 'home', 'logs');
  const outside = join(root, 'var', 'log', 'app');
  mkdirSync(logs, { recursive: true });
  mkdirSync(outside, { recursive: true });
  return { logs, outside };
}

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

function entries(...pairs: [number, number][]): Buffer {
  const data = Buffer.alloc(pairs.length * 16);
  pairs.forEach(([offset, ts], i) => {
    data.writeDoubleLE(offset, i * 16);
    data.writeDoubleLE(ts, i * 16 + 8);
  });
  return data;
}

describe('where the time index of a log file is kept', () => {
  it('beside a file of the home logs dir (or below it), under logs/.tidx/ for one kept elsewhere', () => {
    const logs = '/home/me/.velos/logs';
    expect(timeIndexPath(`${logs}/api-out.log`, logs)).toBe(`${logs}/api-out.log.tidx`);
    expect(timeIndexPath(`${logs}/api/out.log`, logs)).toBe(`${logs}/api/out.log.tidx`);
    expect(timeIndexPath('/var/log/app/out.log')).toBe('/var/log/app/out.log.tidx');
    const own = timeIndexPath('/var/log/app/out.log', logs);
    expect(dirname(own)).toBe(`${logs}/.tidx`);
    expect(basename(own)).toMatch(/^out\.log\.[0-9a-f]{16}\.tidx$/);
    // a rotated .gz shares the index of its plain name; a file of the same name elsewhere has its own
    expect(timeIndexPath('/var/log/app/out.2026-12-01T10-00-00.000Z.log.gz', logs)).toBe(
      timeIndexPath('/var/log/app/out.2026-12-01T10-00-00.000Z.log', logs),
    );
    expect(timeIndexPath('/var/log/other/out.log', logs)).not.toBe(own);
    expect(timeIndexPath('/home/me/.velos/logs-old/out.log', logs)).not.toBe(
      '/home/me/.velos/logs-old/out.log.tidx',
    );
  });

  it('names it safely and within bounds whatever the file is called', () => {
    const logs = '/srv/velos/logs';
    const long = `/var/log/${'a'.repeat(200)}/${'b'.repeat(240)} é?*.log`;
    const name = basename(timeIndexPath(long, logs));
    expect(name).toMatch(/^[\w.-]+$/);
    expect(name.length).toBe(96 + 1 + 16 + '.tidx'.length);
    expect(name.endsWith(`b____.log.${name.split('.').at(-2)}.tidx`)).toBe(true);
    expect(basename(timeIndexPath('/var/log/../log/x/..out.log', logs))).toMatch(/^\.\.out\.log\./);
  });
});

describe('the time index under the home', () => {
  it('is made with its directory, follows a rotation there, and a reset deletes it and an old one beside', async () => {
    const { logs, outside } = layout();
    const log = join(outside, 'out.log');
    writeFileSync(besideTimeIndexPath(log), entries([0, T0]));
    const index = new TimeIndexWriter(log, logs);
    index.note(0, T0 + 1000);
    index.flush();
    expect(existsSync(timeIndexPath(log, logs))).toBe(true);
    const rotated = join(outside, 'out.2026-12-01T10-00-00.000Z.log');
    index.rotated(rotated, 100);
    expect(readdirSync(outside)).toEqual([basename(besideTimeIndexPath(rotated))]);
    expect((await readTimeIndex(rotated, logs)).times).toEqual(Float64Array.from([T0, T0 + 1000, T0 + 1000]));
    index.note(0, T0 + 5000);
    index.flush();
    writeFileSync(besideTimeIndexPath(log), entries([0, T0]));
    index.reset();
    expect(existsSync(timeIndexPath(log, logs))).toBe(false);
    expect(existsSync(besideTimeIndexPath(log))).toBe(false);
    index.close();
  });

  it('is read after the one an older version left beside the file, from the start and from the end', async () => {
    const { logs, outside } = layout();
    const log = join(outside, 'out.log');
    writeFileSync(besideTimeIndexPath(log), entries([0, T0], [100, T0 + 10]));
    mkdirSync(join(logs, '.tidx'));
    writeFileSync(timeIndexPath(log, logs), entries([200, T0 + 20], [300, T0 + 30]));
    const all = await readTimeIndex(log, logs);
    expect([...all.offsets]).toEqual([0, 100, 200, 300]);
    expect([...all.times]).toEqual([T0, T0 + 10, T0 + 20, T0 + 30]);
    const tail = await readTimeIndexTail(log, 150, logs);
    expect([...tail.offsets]).toEqual([100, 200, 300]);
    // without the home's logs dir only the one beside is known
    expect([...(await readTimeIndex(log)).offsets]).toEqual([0, 100]);
  });

  it("is pruned with its rotated file, an orphan too, and another directory's file of that name keeps its own", async () => {
    const { logs, outside } = layout();
    const log = join(outside, 'out.log');
    const writer = new FileWriter({
      path: log,
      highWaterBytes: 1 << 20,
      rotation: { compress: false },
      homeLogsDir: logs,
    });
    for (const word of ['one', 'two', 'three']) {
      writer.write(Buffer.from(`${word}\n`), 'out', 1, T0);
      await writer.rotate();
    }
    await writer.settled();
    const files = await listRotated(log);
    expect(files).toHaveLength(3);
    for (const file of files) expect(existsSync(timeIndexPath(file.path, logs))).toBe(true);
    // an index whose file is gone (a prune between the rotation's two renames), and a stranger's
    const orphan = timeIndexPath(join(outside, 'out.2026-01-01T00-00-00.000Z.log'), logs);
    const stranger = timeIndexPath(join(dirname(outside), 'out.2026-01-01T00-00-00.000Z.log'), logs);
    writeFileSync(orphan, entries([0, T0]));
    writeFileSync(stranger, entries([0, T0]));
    await pruneRotated(log, 1, logs);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(stranger)).toBe(true);
    expect(existsSync(timeIndexPath(files[0]!.path, logs))).toBe(true);
    for (const file of files.slice(1)) expect(existsSync(timeIndexPath(file.path, logs))).toBe(false);
    expect(readdirSync(outside).filter((name) => name.endsWith('.tidx'))).toEqual([]);
    await writer.close();
  });
});
