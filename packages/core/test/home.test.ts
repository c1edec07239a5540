import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPEND_NO_FOLLOW, ErrorCodes, isVelosError, openNoFollow, prepareHome } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-home-'));
  dirs.push(dir);
  return dir;
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('prepareHome', () => {
  it('creates a missing home (and its parents) 0700', () => {
    const home = join(tempDir(), 'a', 'b');
    prepareHome(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it.runIf(existsSync('/proc/self'))(
    'refuses a home the kernel cannot create although its parent exists (/proc/…): Node looped for ever',
    () => {
      const error = errorOf(() => prepareHome('/proc/velos-nope/home'));
      expect(isVelosError(error) && error.code).toBe(ErrorCodes.UNSAFE_HOME);
      expect(error.message).toMatch(/^cannot create the Velos home \/proc\/velos-nope\/home: .*ENOENT/);
    },
  );

  it('refuses a home below a file', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    expect(errorOf(() => prepareHome(join(file, 'home'))).message).toMatch(/ENOTDIR/);
  });

  it('tightens a home others can only read to 0700', () => {
    const home = tempDir();
    chmodSync(home, 0o755);
    prepareHome(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('refuses a home its group can write, and leaves its mode alone', () => {
    const home = tempDir();
    chmodSync(home, 0o770);
    const error = errorOf(() => prepareHome(home));
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.UNSAFE_HOME);
    expect(error.message).toBe(
      `refusing the Velos home ${home}: it is writable by its group (mode 0770); run chmod 700 ${home}`,
    );
    expect(statSync(home).mode & 0o777).toBe(0o770);
  });

  it('refuses a home owned by another user', () => {
    const home = process.getuid?.() === 0 ? tempDir() : '/';
    if (home !== '/') chownSync(home, 65534, 65534);
    const error = errorOf(() => prepareHome(home));
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.UNSAFE_HOME);
    expect(error.message).toMatch(
      /it is owned by uid \d+, not by you \(uid \d+\); set VELOS_HOME to a directory of your own$/,
    );
  });

  it('refuses a path that is a file', () => {
    const home = join(tempDir(), 'file');
    writeFileSync(home, '');
    expect(errorOf(() => prepareHome(home)).message).toContain('is not a directory');
  });
});

describe('openNoFollow', () => {
  it('refuses a symbolic link and leaves its target alone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target'), 'kept\n');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    const error = errorOf(() => openNoFollow(join(dir, 'link'), APPEND_NO_FOLLOW));
    expect(isVelosError(error) && error.code).toBe(ErrorCodes.IO_ERROR);
    expect(error.message).toBe(
      `refusing to write ${join(dir, 'link')}: it is a symbolic link (Velos never writes through one); remove it`,
    );
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('kept\n');
  });

  it('with isRegularOnly refuses a FIFO without blocking', () => {
    const fifo = join(tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    const error = errorOf(() => openNoFollow(fifo, APPEND_NO_FOLLOW, 0o600, true));
    expect(error.message).toBe(`refusing to write ${fifo}: it is not a regular file; remove it`);
  });
});
