import { execFile } from 'node:child_process';
import { readFileSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** A user of this machine, as its password database has them. */
export interface UserEntry {
  name: string;
  uid: number;
  home: string;
}

/**
 * The password database entry of a user name or uid: `getent passwd` (so users of LDAP and other NSS
 * sources count), or /etc/passwd where there is no getent. Undefined when there is no such user.
 * @example await lookupUser('www-data') // → { name: 'www-data', uid: 33, home: '/var/www' }
 */
export async function lookupUser(key: string): Promise<UserEntry | undefined> {
  const answer = await new Promise<string | null>((resolveAnswer) => {
    execFile('getent', ['passwd', key], { timeout: 10_000 }, (error, stdout) => {
      if (!error) return resolveAnswer(String(stdout));
      // getent exits 2 for a key it does not know; a missing getent falls back to the file
      resolveAnswer(error.code === 'ENOENT' ? null : '');
    });
  });
  const text = answer ?? passwdFile();
  const line = text.split('\n').find((entry) => {
    const [name, , uid] = entry.split(':');
    return name === key || uid === key;
  });
  if (line === undefined) return undefined;
  const [name = '', , uid = '', , , home = ''] = line.split(':');
  return { name, uid: Number(uid), home };
}

/**
 * Why a daemon running as `user` could not keep its files in `home`, or undefined when it could (or
 * this user cannot look): the daemon refuses a home another user owns or others can write, and
 * creates a missing one itself, so the nearest existing directory above must be `user`'s. Root can
 * create it anywhere, but inside another user's directory that user's `velos` could not reach it.
 * @example await homeProblem('/root/.velos', nobody) // → { what: 'its home /root/.velos belongs to root, …' }
 */
export async function homeProblem(home: string, user: UserEntry): Promise<HomeProblem | undefined> {
  const stat = statOf(home);
  if (stat === 'unknown') return undefined;
  if (stat !== undefined) {
    if (stat.uid !== user.uid) {
      const owner = await ownerName(stat.uid);
      return {
        what: `its home ${home} belongs to ${owner}, and the daemon refuses a home of another user`,
        owner,
        ownerUid: stat.uid,
      };
    }
    if ((stat.mode & 0o022) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      return {
        what: `its home ${home} is writable by others (mode ${mode}), which the daemon refuses`,
        fix: `run chmod 700 ${home}`,
      };
    }
    return undefined;
  }
  let above = dirname(home);
  let aboveStat = statOf(above);
  while (aboveStat === undefined && dirname(above) !== above) {
    above = dirname(above);
    aboveStat = statOf(above);
  }
  if (aboveStat === 'unknown' || aboveStat === undefined || aboveStat.uid === user.uid) return undefined;
  const owner = await ownerName(aboveStat.uid);
  if (user.uid === 0) {
    if (aboveStat.uid === 0) return undefined;
    return {
      what: `it would create its home ${home} inside ${above}, which belongs to ${owner}, out of the reach of ${owner}'s velos`,
      owner,
      ownerUid: aboveStat.uid,
    };
  }
  // a directory others (or a group) may write in may well take it: no guess
  if ((aboveStat.mode & 0o022) !== 0) return undefined;
  return {
    what: `it cannot create its home ${home} (${above} belongs to ${owner})`,
    owner,
    ownerUid: aboveStat.uid,
  };
}

/** What is wrong with a home, and the user it (or the directory above it) belongs to when that is the trouble. */
export interface HomeProblem {
  /** What goes wrong, said of the daemon: `its home /root/.velos belongs to root, …`. */
  what: string;
  /** The fix, when it is not another home or another user. */
  fix?: string;
  /** The owner's name (`uid N` when it has none). */
  owner?: string;
  ownerUid?: number;
}

function statOf(path: string): Stats | undefined | 'unknown' {
  try {
    return statSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : 'unknown';
  }
}

async function ownerName(uid: number): Promise<string> {
  const entry = await lookupUser(String(uid));
  return entry ? entry.name : `uid ${uid}`;
}

function passwdFile(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}
