import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { VelosControl } from '@velos/core';
import { type Pm2Process, toPm2Process } from './jlist.js';

/**
 * Every process in PM2's `jlist` shape: one `describe all`, then each app's env (`configGet`, one per
 * app, at once; an app deleted meanwhile gets an empty env) and the version of the package.json in
 * its directory, as PM2 reports it.
 */
export async function collectPm2List(
  control: Pick<VelosControl, 'describe' | 'configGet'>,
  home: string,
): Promise<Pm2Process[]> {
  const details = await control.describe('all');
  const names = [...new Set(details.map((detail) => detail.name))];
  const specs = new Map(
    await Promise.all(
      names.map(async (name) => [name, await control.configGet(name).catch(() => undefined)] as const),
    ),
  );
  const username = currentUser();
  const counts = new Map<string, number>();
  for (const detail of details) counts.set(detail.name, (counts.get(detail.name) ?? 0) + 1);
  return details.map((detail) => {
    const spec = specs.get(detail.name);
    const pidFile = (spec as { pidFile?: unknown } | undefined)?.pidFile;
    return toPm2Process(detail, {
      home,
      env: spec?.env ?? {},
      version: packageVersion(detail.spec.cwd),
      nodeVersion: process.versions.node,
      username,
      ...(typeof pidFile === 'string' ? { pidFile, processCount: counts.get(detail.name) ?? 1 } : {}),
    });
  });
}

const versions = new Map<string, string>();

/** The `version` of `<dir>/package.json`, or `N/A` (PM2's word) when there is none. */
function packageVersion(dir: string): string {
  let version = versions.get(dir);
  if (version === undefined) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      version = typeof parsed.version === 'string' ? parsed.version : 'N/A';
    } catch {
      version = 'N/A';
    }
    versions.set(dir, version);
  }
  return version;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
