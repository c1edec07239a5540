import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_DEFAULTS, type AppSpec, isVelosError } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type AccountFiles, checkRunAsCwd, resolveRunAs } from '../src/run-as.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-run-as-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files: AccountFiles = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
writeFileSync(
  files.passwd,
  [
    'root:x:0:0:root:/root:/bin/bash',
    '# a comment',
    'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
    '1234:x:4321:4321::/home/digits:/bin/sh',
    '',
  ].join('\n'),
);
writeFileSync(files.group, ['root:x:0:', 'www-data:x:33:', 'adm:x:4:syslog', ''].join('\n'));

function spec(overrides: Partial<AppSpec>): AppSpec {
  return {
    ...APP_DEFAULTS,
    name: 'web',
    script: 'app.js',
    args: [],
    cwd: dir,
    env: {},
    ...overrides,
  } as AppSpec;
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isVelosError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a VelosError');
}

describe('resolveRunAs', () => {
  it('is undefined without uid and gid', () => {
    expect(resolveRunAs(spec({}), files, 0)).toBeUndefined();
  });

  it("takes a user's ids, primary group and HOME, USER, LOGNAME, SHELL from passwd", () => {
    expect(resolveRunAs(spec({ uid: 'www-data' }), files, 0)).toEqual({
      uid: 33,
      gid: 33,
      env: { USER: 'www-data', LOGNAME: 'www-data', HOME: '/var/www', SHELL: '/usr/sbin/nologin' },
      label: 'www-data (uid 33, gid 33)',
    });
  });

  it('reads a gid by group name or number, a numeric uid by its entry, and digits as a name first', () => {
    expect(resolveRunAs(spec({ uid: 33, gid: 'adm' }), files, 0)).toMatchObject({ uid: 33, gid: 4 });
    expect(resolveRunAs(spec({ uid: 'www-data', gid: 7 }), files, 0)).toMatchObject({ uid: 33, gid: 7 });
    // "1234" names a user whose uid is 4321, as chown reads it
    expect(resolveRunAs(spec({ uid: '1234' }), files, 0)).toMatchObject({ uid: 4321, gid: 4321 });
    // a uid that no entry has: that uid, its own number as the group, no variables
    expect(resolveRunAs(spec({ uid: '5000' }), files, 0)).toEqual({
      uid: 5000,
      gid: 5000,
      env: {},
      label: '(uid 5000, gid 5000)',
    });
  });

  it('refuses an unknown user or group, a cluster app, and a switch a daemon that is not root cannot make', () => {
    expect(failure(() => resolveRunAs(spec({ uid: 'nobdy' }), files, 0))).toBe(
      `INVALID_ARGUMENT: web: uid: no such user 'nobdy' on this machine (${files.passwd})`,
    );
    expect(failure(() => resolveRunAs(spec({ gid: 'staf' }), files, 0))).toBe(
      `INVALID_ARGUMENT: web: gid: no such group 'staf' on this machine (${files.group})`,
    );
    expect(failure(() => resolveRunAs(spec({ uid: 'www-data', execMode: 'cluster' }), files, 0))).toMatch(
      /cluster app runs as the daemon's user/,
    );
    expect(failure(() => resolveRunAs(spec({ uid: 'www-data' }), files, 1000))).toBe(
      'INVALID_ARGUMENT: web: cannot run as uid 33, gid 33: the daemon runs as uid 1000, and only a daemon running as root can switch users',
    );
    // its own uid is no switch
    expect(resolveRunAs(spec({ uid: 33 }), files, 33)).toMatchObject({ uid: 33 });
  });
});

describe('checkRunAsCwd', () => {
  const asUser = { uid: 4321, gid: 4321, env: {}, label: 'u (uid 4321, gid 4321)' };

  it('refuses a working directory below one the user may not search, naming that one', () => {
    const closed = join(dir, 'closed');
    mkdirSync(join(closed, 'inner'), { recursive: true });
    chmodSync(closed, 0o700);
    expect(failure(() => checkRunAsCwd(asUser, join(closed, 'inner')))).toBe(
      `INVALID_ARGUMENT: u (uid 4321, gid 4321) cannot enter its working directory ${join(closed, 'inner')}: no search permission on ${closed}`,
    );
    chmodSync(closed, 0o701);
    expect(() => checkRunAsCwd(asUser, join(closed, 'inner'))).not.toThrow();
    // root searches anything
    chmodSync(closed, 0o700);
    expect(() => checkRunAsCwd({ ...asUser, uid: 0 }, join(closed, 'inner'))).not.toThrow();
  });
});
