// `node:os` as the daemon's bundle sees it (daemon-cjs.ts maps the import here): the same functions and
// `constants`, loading Node's os module (and its binding) on their first use. A daemon without apps needs
// none of them (with timers/promises, ~0.2 MB of RSS for a bare Node 24 process).
import type * as Os from 'node:os';

declare const require: (id: string) => unknown;
let loaded: typeof Os | undefined;
const real = (): typeof Os => {
  loaded ??= require('node:os') as typeof Os;
  return loaded;
};

export const availableParallelism: typeof Os.availableParallelism = () => real().availableParallelism();
export const cpus: typeof Os.cpus = () => real().cpus();
export const freemem: typeof Os.freemem = () => real().freemem();
export const homedir: typeof Os.homedir = () => real().homedir();
export const hostname: typeof Os.hostname = () => real().hostname();
export const loadavg: typeof Os.loadavg = () => real().loadavg();
export const tmpdir: typeof Os.tmpdir = () => real().tmpdir();
export const totalmem: typeof Os.totalmem = () => real().totalmem();
export const userInfo = ((...args: Parameters<typeof Os.userInfo>) =>
  real().userInfo(...args)) as typeof Os.userInfo;
/** Node's `os.constants`, its groups read from the module on first use. */
export const constants = {
  get signals() {
    return real().constants.signals;
  },
  get errno() {
    return real().constants.errno;
  },
  get priority() {
    return real().constants.priority;
  },
  get dlopen() {
    return real().constants.dlopen;
  },
  get UV_UDP_REUSEADDR() {
    return real().constants.UV_UDP_REUSEADDR;
  },
} as typeof Os.constants;
