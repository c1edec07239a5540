import { ErrorCodes, VelosError } from '@velos/core';

/** Most instances one app may have (as many as a start accepts). */
export const MAX_INSTANCES = 1024;

/** The instance count `velos scale` asks for: `N`, or the current count changed by `+N`/`-N`. */
export function scaledCount(name: string, current: number, request: string): number {
  const match = /^([+-]?)(\d{1,4})$/.exec(request.trim());
  if (!match) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `scale ${name}: expected a whole number N (1 to ${MAX_INSTANCES}), +N or -N, got ${JSON.stringify(request)}`,
      { data: { field: 'instances' } },
    );
  }
  const n = Number(match[2]);
  const count = match[1] === '+' ? current + n : match[1] === '-' ? current - n : n;
  if (count < 1 || count > MAX_INSTANCES) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `scale ${name}: ${request} gives ${count} instances (it has ${current}); expected 1 to ${MAX_INSTANCES} (stop or delete the app to run none)`,
      { data: { field: 'instances' } },
    );
  }
  return count;
}
