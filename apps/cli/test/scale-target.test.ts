import { isVelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { oneAppOf, runScale } from '../src/commands/scale.js';
import type { CommandContext } from '../src/context.js';
import { processInfo } from './sample-processes.js';

const processes = [
  processInfo({ id: 0, name: 'api' }),
  processInfo({ id: 1, name: 'api', instance: 1 }),
  processInfo({ id: 2, name: 'api-admin' }),
  processInfo({ id: 3, name: 'worker' }),
];
const list = async () => processes;

async function errorOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  return isVelosError(error) ? `${error.code}: ${error.message}` : String(error);
}

describe('velos scale of a /regex/ (docs/cluster.md: one app, as a name)', () => {
  it('stands for the one app it matches, whatever its instances', async () => {
    expect(await oneAppOf('/^work/', list)).toBe('worker');
    expect(await oneAppOf('/^api$/', list)).toBe('api');
  });

  it('refuses several apps and reports none as not found', async () => {
    expect(await errorOf(oneAppOf('/^api/', list))).toBe(
      "INVALID_ARGUMENT: '/^api/' selects 2 apps (api, api-admin); scale takes one app name",
    );
    expect(await errorOf(oneAppOf('/^zz/', list))).toBe('TARGET_NOT_FOUND: no process name matches /^zz/');
  });
});

describe('velos scale with its words swapped', () => {
  it('says the app goes first, before asking the daemon anything', async () => {
    const ctx = {
      client: async () => {
        throw new Error('no daemon for a usage error');
      },
    } as unknown as CommandContext;
    expect(await errorOf(runScale(ctx, '4', 'api'))).toBe(
      'INVALID_ARGUMENT: expected a whole number of instances N (1 to 1024), +N or -N, got "api"; the app goes first: velos scale api 4 (see velos scale --help)',
    );
    expect(await errorOf(runScale(ctx, 'web', 'api'))).toMatch(/got "api" \(see velos scale --help\)$/);
  });
});
