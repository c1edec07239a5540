import { describe, expect, it } from 'vitest';
import { watcherErrorText } from '../src/watch/watcher-error.js';

function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('watcherErrorText', () => {
  it('says what to do when the inotify watch limit is reached', () => {
    const text = watcherErrorText(
      errnoError('ENOSPC', "ENOSPC: System limit for number of file watchers reached, watch '/srv/api/src'"),
    );
    expect(text).toContain("watch '/srv/api/src'");
    expect(text).toContain('some files are not watched');
    expect(text).toContain('ignore_watch');
    expect(text).toContain('fs.inotify.max_user_watches');
  });

  it('names the open file limit on EMFILE, and leaves other errors as they are', () => {
    expect(watcherErrorText(errnoError('EMFILE', 'EMFILE: too many open files'))).toContain('ulimit -n');
    expect(watcherErrorText(errnoError('ELOOP', 'ELOOP: too many symbolic links'))).toBe(
      'ELOOP: too many symbolic links',
    );
  });
});
