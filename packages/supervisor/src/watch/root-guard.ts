import { existsSync, type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Watches for watched paths that do not exist to appear; `close` releases its handles. */
export interface RootGuard {
  close(): void;
}

/**
 * Waits for `roots` (absolute paths that do not exist) to appear: one non-recursive `fs.watch` per
 * parent directory (no polling), calling `onAppear` once per root when an entry of its name shows up
 * and the path exists. A root whose parent directory is missing too is not waited for; one whose
 * parent cannot be watched (ENOSPC: the inotify table is full) is told to `onFail`; a guard whose
 * parent goes away stops. Call `close` once the roots are watched themselves.
 */
export function watchForRoots(
  roots: readonly string[],
  onAppear: (root: string) => void,
  onFail?: (root: string, error: Error) => void,
): RootGuard {
  const byParent = new Map<string, string[]>();
  for (const root of roots) {
    const parent = dirname(root);
    byParent.set(parent, [...(byParent.get(parent) ?? []), root]);
  }
  const waiting = new Set(roots);
  const handles: FSWatcher[] = [];
  for (const [parent, children] of byParent) {
    let handle: FSWatcher;
    try {
      handle = watch(parent, { persistent: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // the parent is missing too: nothing to wait for, as describe says
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && error instanceof Error)
        for (const root of children) onFail?.(root, error);
      continue;
    }
    handle.on('change', (_event, filename) => {
      const name = filename === null ? null : String(filename);
      for (const root of children) {
        if (!waiting.has(root) || (name !== null && name !== basename(root)) || !existsSync(root)) continue;
        waiting.delete(root);
        onAppear(root);
      }
    });
    // the parent was removed: nothing more can appear in it
    handle.on('error', () => handle.close());
    handles.push(handle);
  }
  return {
    close() {
      waiting.clear();
      for (const handle of handles.splice(0)) handle.close();
    },
  };
}
