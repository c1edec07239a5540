import { describe, expect, it } from 'vitest';
import { createIgnoreMatcher } from '../src/watch/ignore-matcher.js';

describe('createIgnoreMatcher', () => {
  const cwd = '/tmp/home/app';
  const isIgnored = createIgnoreMatcher({
    globs: ['*.tmp', 'tmp', 'build/out', '**/.cache/**'],
    cwd,
    roots: [cwd, '/srv/shared'],
    ownLogFiles: ['/tmp/home/app/logs/app.log', '/tmp/home/app/err'],
  });

  it('matches a glob without a slash at any depth below the cwd or a watched path, not above them', () => {
    expect(isIgnored('/tmp/home/app/a.tmp')).toBe(true);
    expect(isIgnored('/tmp/home/app/src/deep/b.tmp')).toBe(true);
    expect(isIgnored('/tmp/home/app/src/tmp/cache.bin')).toBe(true);
    expect(isIgnored('/srv/shared/x/y.tmp')).toBe(true);
    // the cwd lies under /tmp: the name of an ancestor never counts
    expect(isIgnored('/tmp/home/app/src/main.js')).toBe(false);
    expect(isIgnored('/elsewhere/c.tmp')).toBe(false);
  });

  it('keeps a glob with a slash relative to the cwd', () => {
    expect(isIgnored('/tmp/home/app/build/out/x.js')).toBe(true);
    expect(isIgnored('/tmp/home/app/src/build/out/x.js')).toBe(false);
    expect(isIgnored('/tmp/home/app/src/.cache/x')).toBe(true);
  });

  it("ignores the app's log files and what their rotation writes, whatever their extension", () => {
    const stamp = '2026-12-01T10-00-00.000Z';
    expect(isIgnored('/tmp/home/app/logs/app.log')).toBe(true);
    expect(isIgnored(`/tmp/home/app/logs/app.${stamp}.log`)).toBe(true);
    expect(isIgnored(`/tmp/home/app/logs/app.${stamp}-2.log.gz`)).toBe(true);
    expect(isIgnored(`/tmp/home/app/logs/app.${stamp}.log.gz.tmp`)).toBe(true);
    expect(isIgnored(`/tmp/home/app/err.${stamp}.gz.tmp`)).toBe(true);
    expect(isIgnored('/tmp/home/app/logs/app.config.log.js')).toBe(false);
    expect(isIgnored(`/tmp/home/app/src/app.${stamp}.log.gz`)).toBe(false);
  });

  it('ignores the Velos home below the cwd and the files Velos writes, whatever the globs', () => {
    const isVelos = createIgnoreMatcher({
      globs: [],
      cwd: '/users/me',
      roots: ['/users/me'],
      ownLogFiles: [],
      velosDirs: ['/users/me/.velos'],
      isVelosFile: (path) => path === '/users/me/run/api.pid',
    });
    expect(isVelos('/users/me/.velos')).toBe(true);
    expect(isVelos('/users/me/.velos/logs/other-out.log.tidx')).toBe(true);
    expect(isVelos('/users/me/.velos/events.jsonl')).toBe(true);
    expect(isVelos('/users/me/run/api.pid')).toBe(true);
    expect(isVelos('/users/me/.velosrc')).toBe(false);
    expect(isVelos('/users/me/app.cjs')).toBe(false);
  });

  it("ignores editors' scratch files written before a save (Emacs auto-save and lock, vim and Kate swap), whatever the globs", () => {
    const none = createIgnoreMatcher({ globs: [], cwd, roots: [cwd], ownLogFiles: [] });
    expect(
      ['#main.js#', '.#main.js', '.main.js.swo', '.main.js.swa', 'main.js.kate-swp'].map((name) =>
        none(`${cwd}/src/${name}`),
      ),
    ).toEqual([true, true, true, true, true]);
    // what a save writes, and files that only look alike, are changes
    expect(
      ['main.js', '#notes', 'a#b#', '.env.sql', 'main.swo', '.main.js.swz'].map((name) =>
        none(`${cwd}/src/${name}`),
      ),
    ).toEqual([false, false, false, false, false, false]);
  });

  it('still watches a path that lies inside the Velos home, not the rest of the home', () => {
    const isInHome = createIgnoreMatcher({
      globs: [],
      cwd: '/h/project',
      roots: ['/h/project'],
      ownLogFiles: [],
      velosDirs: ['/h'],
    });
    expect(isInHome('/h/project')).toBe(false);
    expect(isInHome('/h/project/src/main.js')).toBe(false);
    expect(isInHome('/h/logs/web-out.log')).toBe(true);
  });

  it('watches a path watched on purpose inside what a glob ignores, the globs applying below it', () => {
    const app = '/srv/app';
    const lib = `${app}/node_modules/mylib`;
    const isIgnoredLinked = createIgnoreMatcher({
      globs: ['**/node_modules/**', '**/.git/**', '**/*.log', 'dist', 'gen/x'],
      cwd: app,
      roots: [app, lib, `${app}/dist/public`],
      ownLogFiles: [],
    });
    // the defect: chokidar was told the watched path itself is ignored, and watched nothing of it
    expect(isIgnoredLinked(lib)).toBe(false);
    expect(isIgnoredLinked(`${lib}/index.js`)).toBe(false);
    expect(isIgnoredLinked(`${lib}/src/a.js`)).toBe(false);
    expect(isIgnoredLinked(`${app}/dist/public/index.html`)).toBe(false);
    // below it the globs still apply, and elsewhere as before
    expect(isIgnoredLinked(`${lib}/node_modules/dep/x.js`)).toBe(true);
    expect(isIgnoredLinked(`${lib}/.git/HEAD`)).toBe(true);
    expect(isIgnoredLinked(`${lib}/debug.log`)).toBe(true);
    expect(isIgnoredLinked(`${app}/dist/public/dist/x.js`)).toBe(true);
    expect(isIgnoredLinked(`${app}/node_modules/other/x.js`)).toBe(true);
    expect(isIgnoredLinked(`${app}/dist/server.js`)).toBe(true);
    expect(isIgnoredLinked(`${app}/src/a.js`)).toBe(false);
  });
});
