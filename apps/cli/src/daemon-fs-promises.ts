// `node:fs/promises` as the daemon's bundle sees it (daemon-cjs.ts maps the import here): the callback
// functions of `node:fs`, promisified. Loading Node's fs/promises also loads readline, the REPL history
// and fs watchers (~1.2 MB of RSS on Node 24, ~0.4 MB on Node 20); the daemon loads it only when it
// opens a FileHandle (log queries). Named imports: a namespace import (`* as fs`) is copied property by
// property in the CommonJS build, which reads `fs.Dir` and so loads Node 24's internal/fs/dir at start.
import {
  access as accessCallback,
  appendFile as appendFileCallback,
  chmod as chmodCallback,
  copyFile as copyFileCallback,
  constants as fsConstants,
  lstat as lstatCallback,
  mkdir as mkdirCallback,
  mkdtemp as mkdtempCallback,
  readdir as readdirCallback,
  readFile as readFileCallback,
  readlink as readlinkCallback,
  realpath as realpathCallback,
  rename as renameCallback,
  rm as rmCallback,
  rmdir as rmdirCallback,
  stat as statCallback,
  statfs as statfsCallback,
  symlink as symlinkCallback,
  truncate as truncateCallback,
  unlink as unlinkCallback,
  utimes as utimesCallback,
  writeFile as writeFileCallback,
} from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { promisify } from 'node:util';

declare const require: (id: string) => unknown;
const real = (): typeof FsPromises => require('node:fs/promises') as typeof FsPromises;

export const access = promisify(accessCallback) as typeof FsPromises.access;
export const appendFile = promisify(appendFileCallback) as typeof FsPromises.appendFile;
export const chmod = promisify(chmodCallback) as typeof FsPromises.chmod;
export const copyFile = promisify(copyFileCallback) as typeof FsPromises.copyFile;
export const lstat = promisify(lstatCallback) as typeof FsPromises.lstat;
export const mkdir = promisify(mkdirCallback) as typeof FsPromises.mkdir;
export const mkdtemp = promisify(mkdtempCallback) as typeof FsPromises.mkdtemp;
export const readdir = promisify(readdirCallback) as typeof FsPromises.readdir;
export const readFile = promisify(readFileCallback) as typeof FsPromises.readFile;
export const readlink = promisify(readlinkCallback) as typeof FsPromises.readlink;
export const realpath = promisify(realpathCallback) as typeof FsPromises.realpath;
export const rename = promisify(renameCallback) as typeof FsPromises.rename;
export const rm = promisify(rmCallback) as typeof FsPromises.rm;
export const rmdir = promisify(rmdirCallback) as typeof FsPromises.rmdir;
export const stat = promisify(statCallback) as typeof FsPromises.stat;
export const statfs = promisify(statfsCallback) as typeof FsPromises.statfs;
export const symlink = promisify(symlinkCallback) as typeof FsPromises.symlink;
export const truncate = promisify(truncateCallback) as typeof FsPromises.truncate;
export const unlink = promisify(unlinkCallback) as typeof FsPromises.unlink;
export const utimes = promisify(utimesCallback) as typeof FsPromises.utimes;
export const writeFile = promisify(writeFileCallback) as typeof FsPromises.writeFile;
export const constants = fsConstants;

/** Opens a FileHandle: the one call that loads Node's fs/promises. */
export const open: typeof FsPromises.open = (...args) => real().open(...args);
export const opendir: typeof FsPromises.opendir = (...args) => real().opendir(...args);
