// `node:timers/promises` as the daemon's bundle sees it (daemon-cjs.ts maps the import here): the same
// functions, loading Node's module on their first call (a restart's delay, a stop's wait), not at start.
import type * as TimersPromises from 'node:timers/promises';

declare const require: (id: string) => unknown;
let loaded: typeof TimersPromises | undefined;
const real = (): typeof TimersPromises => {
  loaded ??= require('node:timers/promises') as typeof TimersPromises;
  return loaded;
};

export const setTimeout = ((...args: Parameters<typeof TimersPromises.setTimeout>) =>
  real().setTimeout(...args)) as typeof TimersPromises.setTimeout;
export const setImmediate = ((...args: Parameters<typeof TimersPromises.setImmediate>) =>
  real().setImmediate(...args)) as typeof TimersPromises.setImmediate;
export const setInterval = ((...args: Parameters<typeof TimersPromises.setInterval>) =>
  real().setInterval(...args)) as typeof TimersPromises.setInterval;
