import { close, constants, fsync, link, open, write } from 'node:fs';
import { copyFile, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  APP_DEFAULTS,
  type AppSpec,
  CREATE_EXCLUSIVE,
  ErrorCodes,
  isoTime,
  isVelosError,
  noFollowError,
  VelosError,
} from '@velos/core';
import { parseHistory, type SavedHistory } from './process-history.js';

/** Name of the state file inside the Velos home. */
export const STATE_FILE = 'state.json';
/** The previous state file, kept as a fallback. */
export const STATE_BACKUP_FILE = 'state.json.bak';

/** One saved app: its spec (with env), the ids of its processes, whether it was running and their history. */
export interface SavedApp {
  spec: AppSpec;
  ids: number[];
  running: boolean;
  /** The history of each process, in the order of `ids`; absent in files of earlier versions. */
  history?: SavedHistory[];
}

/** The content of `state.json` (SUP-13). */
export interface SavedState {
  version: 1;
  /** Epoch ms of the save. */
  savedAt: number;
  /** The next process id to allocate. */
  nextId: number;
  apps: SavedApp[];
}

/** A read state and what went wrong while reading it (shown to the user, never thrown). */
export interface StateReadResult {
  /** The state, or null when there is none (or nothing readable). */
  state: SavedState | null;
  /** The file the state came from, when any. */
  path: string | null;
  warnings: string[];
}

/** The write under way (or the last one) per home: writes of one home run one after the other. */
const writesByHome = new Map<string, Promise<unknown>>();

/**
 * Writes the state atomically: a 0600 temp file is written and fsynced, the current `state.json`
 * is kept as `state.json.bak`, the temp file is renamed into place and the directory fsynced.
 * The temp file is created afresh (a symbolic link planted in its place is removed, never
 * followed). All of it is asynchronous (the event loop keeps running during the fsyncs), and the
 * writes of one home run in call order, so an earlier state never replaces a later one. Returns
 * the path written.
 */
export function writeState(home: string, state: SavedState): Promise<string> {
  // serialized now: a later change of the caller's objects cannot leak into this write
  const text = `${JSON.stringify(state, null, 2)}\n`;
  return queueForHome(home, () => writeStateText(home, text));
}

/** Runs `operation` after the file work already queued for `home` (writes, set-asides). */
function queueForHome<T>(home: string, operation: () => Promise<T>): Promise<T> {
  const result = (writesByHome.get(home) ?? Promise.resolve()).then(operation, operation);
  const settled = result.catch(() => undefined);
  writesByHome.set(home, settled);
  void settled.then(() => {
    if (writesByHome.get(home) === settled) writesByHome.delete(home);
  });
  return result;
}

async function writeStateText(home: string, text: string): Promise<string> {
  const path = join(home, STATE_FILE);
  const tmp = `${path}.tmp`;
  try {
    await writeFreshSynced(tmp, text);
    await keepBackup(path, join(home, STATE_BACKUP_FILE));
    await rename(tmp, path);
  } catch (error) {
    // a half-written temp file on a full disk would only hold on to the space that is missing
    if (!isVelosError(error)) await unlink(tmp).catch(() => undefined);
    throw saveError(path, error);
  }
  await fsyncDirectory(home);
  return path;
}

/** A failed save as the user sees it: which file, why, and that the saved state is as before. */
function saveError(path: string, error: unknown): VelosError {
  const why = isVelosError(error) ? error.message : error instanceof Error ? error.message : String(error);
  return new VelosError(
    ErrorCodes.IO_ERROR,
    `cannot save the state to ${path}: ${why}; the saved state is unchanged (fix this, then save again)`,
    { cause: error },
  );
}

/**
 * Reads `state.json`, falling back to `state.json.bak` with a warning when the main file is
 * missing, unreadable or corrupt; no state at all is `{state: null, warnings: []}`. A corrupt file
 * is renamed `<name>.corrupt-<time>` (said in the warning), so that no later save rotates it over
 * the good backup or drops it: it stays for the user to inspect or repair.
 */
export async function readState(home: string): Promise<StateReadResult> {
  const path = join(home, STATE_FILE);
  const backup = join(home, STATE_BACKUP_FILE);
  const main = await readStateFile(path);
  if (main.state) return { state: main.state, path, warnings: [] };
  const fallback = await readStateFile(backup);
  if (main.problem === 'missing' && fallback.problem === 'missing')
    return { state: null, path: null, warnings: [] };
  const mainWhy = await describeUnusable(home, path, main.problem);
  if (fallback.state) {
    const when = isoTime(fallback.state.savedAt);
    const why = main.problem === 'missing' ? 'is missing' : mainWhy;
    return {
      state: fallback.state,
      path: backup,
      warnings: [`${path} ${why}; restored the previous state from ${backup} (saved ${when})`],
    };
  }
  const backupWhy =
    fallback.problem === 'missing'
      ? 'there is no backup'
      : `${backup} ${await describeUnusable(home, backup, fallback.problem, 'is unusable too')}`;
  return {
    state: null,
    path: null,
    warnings: [`${path} ${mainWhy} and ${backupWhy}; starting with an empty process list`],
  };
}

/** `is unusable (<problem>)`, plus where a corrupt file was set aside to (see {@link setAsideCorrupt}). */
async function describeUnusable(
  home: string,
  path: string,
  problem: string,
  verb = 'is unusable',
): Promise<string> {
  const aside = problem.startsWith('corrupt') ? await setAsideCorrupt(home, path) : null;
  return aside ? `${verb} (${problem}; kept as ${aside})` : `${verb} (${problem})`;
}

/**
 * Renames a corrupt state file `<path>.corrupt-<time>`, in the write queue of its home, when it is
 * still corrupt then (a save may have replaced it meanwhile); returns the new path, or null.
 */
function setAsideCorrupt(home: string, path: string): Promise<string | null> {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const move = async (): Promise<string | null> => {
    const again = await readStateFile(path);
    if (!again.problem.startsWith('corrupt')) return null;
    await rename(path, aside);
    return aside;
  };
  return queueForHome(home, move).catch(() => null);
}

/** Checks the shape of a parsed state document and fills spec defaults; throws STATE_CORRUPT. */
export function parseState(raw: unknown): SavedState {
  const doc = raw as Partial<SavedState> | null;
  const version = (doc as { version?: unknown } | null)?.version;
  // a downgrade: say so, rather than a shape the file does have (it is set aside like a corrupt one)
  if (typeof version === 'number' && version > 1) {
    throw new VelosError(
      ErrorCodes.STATE_CORRUPT,
      `written by a newer Velos (state version ${version}; this one reads version 1)`,
    );
  }
  if (!doc || typeof doc !== 'object' || doc.version !== 1 || !Array.isArray(doc.apps)) {
    throw new VelosError(ErrorCodes.STATE_CORRUPT, 'expected {version: 1, apps: [...]}');
  }
  const apps = doc.apps.map((app, i): SavedApp => {
    const spec = app?.spec as Partial<AppSpec> | undefined;
    const ids = app?.ids;
    if (
      !spec ||
      typeof spec.name !== 'string' ||
      typeof spec.script !== 'string' ||
      typeof spec.cwd !== 'string'
    ) {
      throw new VelosError(ErrorCodes.STATE_CORRUPT, `apps[${i}].spec: expected a name, a script and a cwd`);
    }
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id) && id >= 0)) {
      throw new VelosError(ErrorCodes.STATE_CORRUPT, `apps[${i}].ids: expected a list of process ids`);
    }
    const history = parseHistory(app.history, ids.length, `apps[${i}]`);
    return {
      spec: withDefaults(spec, ids.length),
      ids,
      running: app.running === true,
      ...(history ? { history } : {}),
    };
  });
  const maxId = Math.max(-1, ...apps.flatMap((app) => app.ids));
  const nextId = Number.isInteger(doc.nextId) ? Math.max(doc.nextId!, maxId + 1) : maxId + 1;
  return { version: 1, savedAt: Number(doc.savedAt) || 0, nextId, apps };
}

function withDefaults(spec: Partial<AppSpec>, instances: number): AppSpec {
  return {
    name: '',
    script: '',
    cwd: '/',
    ...APP_DEFAULTS,
    args: [],
    interpreterArgs: [],
    stopExitCodes: [],
    env: {},
    ...spec,
    instances,
  };
}

/** Reads one state file: the state, or null and why (`missing`, `cannot read: …`, `corrupt: …`). */
export async function readStateFile(path: string): Promise<{ state: SavedState | null; problem: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { state: null, problem: code === 'ENOENT' ? 'missing' : `cannot read: ${code ?? String(error)}` };
  }
  try {
    return { state: parseState(JSON.parse(text)), problem: '' };
  } catch (error) {
    return { state: null, problem: `corrupt: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Creates `path` afresh (0600, never through a symbolic link), writes `text` and fsyncs it. */
async function writeFreshSynced(path: string, text: string): Promise<void> {
  await unlink(path).catch(() => undefined);
  let fd: number;
  try {
    fd = await openFd(path, CREATE_EXCLUSIVE, 0o600);
  } catch (error) {
    throw noFollowError(path, error);
  }
  try {
    const data = Buffer.from(text);
    for (let offset = 0; offset < data.length; ) {
      offset += await writeFd(fd, data, offset);
    }
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

// File descriptors through the callback API: a FileHandle would load Node's fs/promises module, which
// the daemon keeps unloaded while idle (apps/cli/src/daemon-fs-promises.ts).
const openFd = (path: string, flags: number | string, mode?: number) =>
  new Promise<number>((resolve, reject) =>
    open(path, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd))),
  );
const writeFd = (fd: number, data: Buffer, offset: number) =>
  new Promise<number>((resolve, reject) =>
    write(fd, data, offset, data.length - offset, null, (error, written) =>
      error ? reject(error) : resolve(written),
    ),
  );
const fsyncFd = (fd: number) =>
  new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
const closeFd = (fd: number) =>
  new Promise<void>((resolve, reject) => close(fd, (error) => (error ? reject(error) : resolve())));
const linkPath = (existing: string, path: string) =>
  new Promise<void>((resolve, reject) =>
    link(existing, path, (error) => (error ? reject(error) : resolve())),
  );

/**
 * Makes the current `state.json` the backup: linked (or copied) to `state.json.bak.tmp`, then renamed
 * over `state.json.bak`, so the previous backup stays until a new one is complete. Without a
 * `state.json` (never saved, or set aside as corrupt) the backup there is kept as it is.
 */
async function keepBackup(path: string, backup: string): Promise<void> {
  const next = `${backup}.tmp`;
  await unlink(next).catch(() => undefined);
  try {
    // a hard link keeps the previous file without a moment where state.json does not exist
    await linkPath(path, next);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    try {
      await copyFile(path, next, constants.COPYFILE_EXCL);
    } catch (copyError) {
      await unlink(next).catch(() => undefined);
      throw copyError;
    }
  }
  await rename(next, backup);
}

async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const fd = await openFd(dir, 'r');
    try {
      await fsyncFd(fd);
    } finally {
      await closeFd(fd);
    }
  } catch {
    // some platforms cannot fsync a directory; the rename is still atomic
  }
}
