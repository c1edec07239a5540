import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneRotated, rotatedPath } from '../../src/logs/log-rotation.js';
import { RotationHousekeeper } from '../../src/logs/rotation-housekeeper.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A log path in a fresh directory, and a maker of its rotated files (second `i` of 2026-01-01). */
async function logDir(): Promise<{ dir: string; path: string; rotate: (i: number) => string }> {
  const dir = await mkdtemp(join(tmpdir(), 'velos-housekeeper-'));
  dirs.push(dir);
  const path = join(dir, 'app-out.log');
  const rotate = (i: number): string => {
    const target = rotatedPath(path, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    writeFileSync(target, `file ${i}\n`);
    return target;
  };
  return { dir, path, rotate };
}

describe('RotationHousekeeper', () => {
  // a flood's rotations come while the prune of an earlier one runs: those that came after its listing
  // stayed beyond `log_retain` (without compression, or with retain 0, nothing brought the run back)
  for (const [retain, compress] of [
    [0, false],
    [1, false],
    [0, true],
  ] as const) {
    it(`keeps ${retain} rotated file(s) when one is rotated during a prune (compress ${compress})`, async () => {
      const { dir, path, rotate } = await logDir();
      let isFirst = true;
      const housekeeper = new RotationHousekeeper({
        path,
        retain,
        compress,
        onPruned: () => {
          if (!isFirst) return;
          isFirst = false;
          // the prune listed the directory already: this file is not among the ones it looked at
          housekeeper.add(rotate(10));
        },
      });
      rotate(0);
      rotate(1);
      housekeeper.add(rotate(2));
      await housekeeper.idle();
      expect(isFirst).toBe(false);
      const left = (await readdir(dir)).sort();
      expect(left).toEqual(retain === 0 ? [] : ['app-out.2026-01-01T00-00-10.000Z.log']);
    });
  }

  it('gzips a rotated file also without an onCompressed listener', async () => {
    const { dir, path, rotate } = await logDir();
    const housekeeper = new RotationHousekeeper({ path, retain: 2, compress: true });
    housekeeper.add(rotate(0));
    await housekeeper.idle();
    expect(await readdir(dir)).toEqual(['app-out.2026-01-01T00-00-00.000Z.log.gz']);
  });

  it('a prune deletes the time index a rotation moved in after the prune deleted its file', async () => {
    const { dir, path, rotate } = await logDir();
    const kept = rotate(1);
    writeFileSync(`${kept}.tidx`, '');
    const gzipped = rotatedPath(path, new Date(Date.UTC(2026, 0, 1, 0, 0, 2)));
    writeFileSync(`${gzipped}.gz`, '');
    writeFileSync(`${gzipped}.tidx`, '');
    // the index of a rotated file that a prune deleted before the index was renamed to it
    writeFileSync(`${rotatedPath(path, new Date(Date.UTC(2026, 0, 1, 0, 0, 0)))}.tidx`, '');
    writeFileSync(join(dir, 'app-out.log.tidx'), '');
    expect(await pruneRotated(path, 10)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual([
      'app-out.2026-01-01T00-00-01.000Z.log',
      'app-out.2026-01-01T00-00-01.000Z.log.tidx',
      'app-out.2026-01-01T00-00-02.000Z.log.gz',
      'app-out.2026-01-01T00-00-02.000Z.log.tidx',
      'app-out.log.tidx',
    ]);
  });
});
