import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn, spawnSync } from '../src/daemon-child-process.js';

describe("the daemon's node:child_process (loaded on first call)", () => {
  it('spawns and runs programs as Node’s own functions do', async () => {
    expect(
      spawnSync(process.execPath, ['-e', 'process.stdout.write("sync")'], { encoding: 'utf8' }).stdout,
    ).toBe('sync');
    expect(execFileSync(process.execPath, ['-e', 'process.stdout.write("file")'], { encoding: 'utf8' })).toBe(
      'file',
    );
    const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
  });

  it('gives promisify(execFile) stdout and stderr, and the failure with both', async () => {
    const run = promisify(execFile);
    const result = await run(process.execPath, [
      '-e',
      'process.stdout.write("out"); process.stderr.write("err")',
    ]);
    expect(result).toEqual({ stdout: 'out', stderr: 'err' });
    const failure = await run(process.execPath, ['-e', 'process.stderr.write("bad"); process.exit(2)']).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toBe('bad');
  });
});
