// `node:child_process` as the daemon's bundle sees it (daemon-cjs.ts maps the import here): the same
// functions, loading Node's child_process on their first call. Loading it also loads dgram and the
// process, spawn and UDP bindings (~0.5 MB of RSS on Node 24): a daemon loads it with its first app.
import type * as ChildProcesses from 'node:child_process';
import { promisify } from 'node:util';

declare const require: (id: string) => unknown;
let loaded: typeof ChildProcesses | undefined;
const real = (): typeof ChildProcesses => {
  loaded ??= require('node:child_process') as typeof ChildProcesses;
  return loaded;
};

type AnyFunction = (...args: unknown[]) => unknown;
/** `name` of Node's child_process, called with the arguments given. */
const callReal =
  (name: 'spawn' | 'spawnSync' | 'execFile' | 'execFileSync'): AnyFunction =>
  (...args) =>
    (real()[name] as AnyFunction)(...args);

export const spawn = callReal('spawn') as typeof ChildProcesses.spawn;
export const spawnSync = callReal('spawnSync') as typeof ChildProcesses.spawnSync;
export const execFileSync = callReal('execFileSync') as typeof ChildProcesses.execFileSync;
export const execFile = Object.assign(callReal('execFile'), {
  // util.promisify(execFile) resolves with { stdout, stderr }, as Node's own execFile does
  [promisify.custom]: (...args: unknown[]) => (promisify(real().execFile) as AnyFunction)(...args),
}) as unknown as typeof ChildProcesses.execFile;
