import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** The name of each workspace under `group` whose package.json has a build script. */
function built(group: string): string[] {
  return readdirSync(join(root, group))
    .map((entry) => join(root, group, entry, 'package.json'))
    .filter((file) => existsSync(file))
    .map(
      (file) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; scripts?: Record<string, string> },
    )
    .filter((manifest) => manifest.scripts?.build !== undefined)
    .map((manifest) => manifest.name)
    .sort();
}

/** The packages whose build `turbo.json` makes a root type check wait for. */
function awaited(task: string): string[] {
  const turbo = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8')) as {
    tasks: Record<string, { dependsOn?: string[] }>;
  };
  return (turbo.tasks[`//#${task}`]?.dependsOn ?? [])
    .filter((dependency) => dependency.endsWith('#build'))
    .map((dependency) => dependency.slice(0, -'#build'.length))
    .sort();
}

// The type check is one tsc program per group at the root (docs/testing.md); each reads the other packages
// through their built declarations, so turbo must build every one of them first, or a new package's
// imports fail to resolve on a fresh clone only.
describe('the type check graph (turbo.json)', () => {
  it('waits for the build of every library before the libraries’ program', () => {
    expect(awaited('typecheck:packages')).toEqual(built('packages'));
  });

  it('waits for the build of every app (whose builds wait for the libraries’) before the apps’ program', () => {
    const apps = awaited('typecheck:apps');
    for (const name of built('apps')) expect(apps).toContain(name);
  });
});
