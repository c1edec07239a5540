// `node:fs/promises` as the daemon's bundle sees it (daemon-cjs.ts maps the import here): the callback
// functions of `node:fs`, promisified. Loading Node's fs/promises also loads readline, the REPL history
// and fs watchers (~1.2 MB of RSS on Node 24, ~0.4 MB on Node 20); the daemon loads it only when it
// opens a FileHandle (log queries).
import * as fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { promisify } from 'node:util';

declare const require: (id: string) => unknown;
const real = (): typeof FsPromises => require('node:fs/promises') as typeof FsPromises;

export const access = promisify(fs.access) as typeof FsPromises.access;
export const appendFile = promisify(fs.appendFile) as typeof FsPromises.appendFile;
export const chmod = promisify(fs.chmod) as typeof FsPromises.chmod;
export const copyFile = promisify(fs.copyFile) as typeof FsPromises.copyFile;
export const lstat = promisify(fs.lstat) as typeof FsPromises.lstat;
export const mkdir = promisify(fs.mkdir) as typeof FsPromises.mkdir;
export const mkdtemp = promisify(fs.mkdtemp) as typeof FsPromises.mkdtemp;
export const readdir = promisify(fs.readdir) as typeof FsPromises.readdir;
export const readFile = promisify(fs.readFile) as typeof FsPromises.readFile;
export const readlink = promisify(fs.readlink) as typeof FsPromises.readlink;
export const realpath = promisify(fs.realpath) as typeof FsPromises.realpath;
export const rename = promisify(fs.rename) as typeof FsPromises.rename;
export const rm = promisify(fs.rm) as typeof FsPromises.rm;
export const rmdir = promisify(fs.rmdir) as typeof FsPromises.rmdir;
export const stat = promisify(fs.stat) as typeof FsPromises.stat;
export const statfs = promisify(fs.statfs) as typeof FsPromises.statfs;
export const symlink = promisify(fs.symlink) as typeof FsPromises.symlink;
export const truncate = promisify(fs.truncate) as typeof FsPromises.truncate;
export const unlink = promisify(fs.unlink) as typeof FsPromises.unlink;
export const utimes = promisify(fs.utimes) as typeof FsPromises.utimes;
export const writeFile = promisify(fs.writeFile) as typeof FsPromises.writeFile;
export const constants = fs.constants;

/** Opens a FileHandle: the one call that loads Node's fs/promises. */
export const open: typeof FsPromises.open = (...args) => real().open(...args);
export const opendir: typeof FsPromises.opendir = (...args) => real().opendir(...args);
