import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';

/** The user and group an app runs as, and the variables that name that user (systemd's `User=`). */
export interface RunAs {
  uid: number;
  gid: number;
  /** `HOME`, `USER`, `LOGNAME`, `SHELL` of the passwd entry (those it has). */
  env: Record<string, string>;
  /** `nobody (uid 65534, gid 65534)`, for messages. */
  label: string;
}

/** Where the accounts are read from (tests pass other files). */
export interface AccountFiles {
  passwd: string;
  group: string;
}

const SYSTEM_FILES: AccountFiles = { passwd: '/etc/passwd', group: '/etc/group' };

/**
 * The user and group an app's processes run as, or undefined when its spec sets neither `uid` nor
 * `gid`; a name is looked up in /etc/passwd and /etc/group at each call, so an account created after
 * the start is found. Throws INVALID_ARGUMENT for an unknown user or group, for a cluster app, and
 * when this daemon may not switch to that user (it is not root).
 */
export function resolveRunAs(
  spec: AppSpec,
  files: AccountFiles = SYSTEM_FILES,
  daemonUid: number | undefined = process.getuid?.(),
): RunAs | undefined {
  if (spec.uid === undefined && spec.gid === undefined) return undefined;
  const fail = (message: string): never => {
    throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${spec.name}: ${message}`, {
      data: { name: spec.name, uid: spec.uid, gid: spec.gid },
    });
  };
  if (daemonUid === undefined) fail('uid and gid need a POSIX system');
  if (spec.execMode === 'cluster')
    fail("uid and gid are for fork mode: a cluster app runs as the daemon's user");
  // as chown does: a name first, then digits as a numeric id (`--uid 1000` arrives as text)
  const users = readTable(files.passwd);
  let user: string[] | undefined;
  let uid = daemonUid!;
  if (spec.uid !== undefined) {
    user = lookUp(users, spec.uid, 2);
    const id = user ? Number(user[2]) : numericId(spec.uid);
    uid = id ?? fail(`uid: no such user '${spec.uid}' on this machine (${files.passwd})`);
  }
  let gid = user ? Number(user[3]) : uid;
  if (spec.gid !== undefined) {
    const group = lookUp(readTable(files.group), spec.gid, 2);
    const id = group ? Number(group[2]) : numericId(spec.gid);
    gid = id ?? fail(`gid: no such group '${spec.gid}' on this machine (${files.group})`);
  }
  if (daemonUid !== 0 && (uid !== daemonUid || (spec.gid !== undefined && gid !== process.getgid?.())))
    fail(
      `cannot run as uid ${uid}, gid ${gid}: the daemon runs as uid ${daemonUid}, and only a daemon running as root can switch users`,
    );
  const env: Record<string, string> = {};
  if (user) {
    env.USER = user[0]!;
    env.LOGNAME = user[0]!;
    if (user[5]) env.HOME = user[5];
    if (user[6]) env.SHELL = user[6];
  }
  const label = `${user ? `${user[0]} ` : ''}(uid ${uid}, gid ${gid})`;
  return { uid, gid, env, label };
}

/**
 * Throws INVALID_ARGUMENT when the user an app runs as cannot enter its working directory (search
 * permission on it and every parent, by mode bits: the child has no supplementary groups), which
 * fails the spawn as a missing directory does. The spawn changes directory before it drops root, so
 * without this check the app would run in a directory it cannot use, and fail on a relative path.
 */
export function checkRunAsCwd(runAs: RunAs, cwd: string): void {
  if (runAs.uid === 0) return;
  for (let dir = cwd; ; dir = dirname(dir)) {
    let canSearch = false;
    try {
      const stat = statSync(dir);
      const bit = stat.uid === runAs.uid ? 0o100 : stat.gid === runAs.gid ? 0o010 : 0o001;
      canSearch = (stat.mode & bit) !== 0;
    } catch {
      return; // a missing directory is reported by the spawn itself
    }
    if (!canSearch)
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `${runAs.label} cannot enter its working directory ${cwd}: no search permission on ${dir}`,
        { data: { cwd, dir } },
      );
    if (dirname(dir) === dir) return;
  }
}

/** The row of an account: by name, else by its numeric id. */
function lookUp(rows: string[][], wanted: string | number, idField: number): string[] | undefined {
  const text = String(wanted);
  return rows.find((row) => row[0] === text) ?? rows.find((row) => row[idField] === text);
}

function numericId(value: string | number): number | undefined {
  return typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The rows of a colon-separated account file (`name:x:id:…`), comments and blank lines left out. */
function readTable(path: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}
