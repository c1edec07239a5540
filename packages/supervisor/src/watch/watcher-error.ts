/**
 * The daemon log's text for an error of an app's file watcher. A full inotify table (ENOSPC from
 * `fs.watch`: "System limit for number of file watchers reached") says what to do about it, since
 * the files beyond the limit are not watched: each watched file and directory takes one watch.
 */
export function watcherErrorText(error: Error): string {
  const { code } = error as NodeJS.ErrnoException;
  if (code === 'ENOSPC' || code === 'EMFILE') {
    const limit = code === 'ENOSPC' ? 'fs.inotify.max_user_watches' : 'the open file limit (ulimit -n)';
    return (
      `${error.message} (some files are not watched: leave large directories out with ignore_watch, ` +
      `watch only the source directories, or raise ${limit})`
    );
  }
  return error.message;
}
