import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  files?: string[];
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  types?: string;
  repository?: { url?: string; directory?: string };
  publishConfig?: { access?: string };
  description?: string;
}

const published = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(group, name))
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => ({
      dir,
      manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest,
    }))
    .filter(({ manifest }) => !manifest.private),
);

/** Every string an exports map points at (conditions nested at any depth). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

describe('the publishable packages (docs/releasing.md)', () => {
  it('are the libraries and the two apps', () => {
    expect(published.map(({ manifest }) => manifest.name)).toEqual(
      expect.arrayContaining(['velos', '@velos/server', '@velos/log-engine', '@velos/core']),
    );
  });

  it.each(published.map((pkg) => [pkg.manifest.name, pkg] as const))(
    '%s has its publish fields',
    (_, pkg) => {
      const { manifest, dir } = pkg;
      expect(manifest.license).toBe('MIT');
      expect(existsSync(join(root, dir, 'LICENSE'))).toBe(true);
      expect(existsSync(join(root, dir, 'README.md'))).toBe(true);
      expect(manifest.engines?.node).toBe('>=20');
      expect(manifest.description).toMatch(/\S/);
      expect(manifest.repository?.directory).toBe(dir);
      const hasBinDir = Object.values(manifest.bin ?? {}).some((path) => path.startsWith('./bin/'));
      expect(manifest.files).toEqual([...(hasBinDir ? ['bin'] : []), 'dist', 'README.md', 'LICENSE']);
      for (const target of [
        ...exportTargets(manifest.exports),
        ...(manifest.types ? [manifest.types] : []),
      ]) {
        expect(target, `${manifest.name} exports`).toMatch(/^\.\/dist\//);
      }
      if (manifest.name.startsWith('@velos/')) expect(manifest.publishConfig?.access).toBe('public');
    },
  );
});
