import { type FSWatcher, lstatSync, realpathSync, watch } from 'node:fs';
import { basename, dirname, sep } from 'node:path';

/** Watches the symbolic links on the way to watched paths; `close` releases its handles. */
export interface LinkGuard {
  close(): void;
}

/**
 * Calls `onRetarget(root)` when a watched path reached through a symbolic link resolves elsewhere: a
 * deploy that points `/srv/app/current` at a new release (`ln -sfn releases/8 current`). The watcher
 * watches what the link pointed to when it started, so neither the switch nor the new release's edits
 * were seen. One non-recursive `fs.watch` per directory holding such a link (no polling), for the
 * link's name; paths without a link on the way cost nothing.
 */
export function watchLinks(roots: readonly string[], onRetarget: (root: string) => void): LinkGuard {
  const resolved = new Map<string, string>();
  const byDir = new Map<string, Set<string>>();
  for (const root of roots) {
    const real = realPath(root);
    if (real === null || real === root) continue;
    resolved.set(root, real);
    for (const link of linksOf(root)) {
      const names = byDir.get(dirname(link)) ?? new Set<string>();
      names.add(basename(link));
      byDir.set(dirname(link), names);
    }
  }
  const handles: FSWatcher[] = [];
  const check = (): void => {
    for (const [root, real] of resolved) {
      const now = realPath(root);
      if (now === real) continue;
      resolved.delete(root);
      onRetarget(root);
    }
  };
  for (const [dir, names] of byDir) {
    try {
      const handle = watch(dir, { persistent: true }, (_event, name) => {
        if (name === null || names.has(String(name))) check();
      });
      handle.on('error', () => handle.close());
      handles.push(handle);
    } catch {
      // the directory went away since: the watcher's own removal handling takes over
    }
  }
  return {
    close() {
      resolved.clear();
      for (const handle of handles.splice(0)) handle.close();
    },
  };
}

/** The symbolic links among `path` and its ancestors. */
function linksOf(path: string): string[] {
  const links: string[] = [];
  for (let at = path; at !== dirname(at) && at.includes(sep); at = dirname(at)) {
    try {
      if (lstatSync(at).isSymbolicLink()) links.push(at);
    } catch {
      // a missing part: nothing to watch there
    }
  }
  return links;
}

function realPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
