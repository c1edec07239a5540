import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Which workspace packages each package may import (docs/architecture.md); `*` = any. */
const ALLOWED: Record<string, readonly string[] | '*'> = {
  '@velos/core': [],
  '@velos/log-engine': [],
  '@velos/app': [],
  '@velos/client': ['@velos/core'],
  '@velos/metrics': ['@velos/core'],
  '@velos/otel': ['@velos/core'],
  '@velos/supervisor': ['@velos/core', '@velos/log-engine'],
  '@velos/api': ['@velos/core', '@velos/metrics', '@velos/mcp', '@velos/log-engine'],
  '@velos/mcp': ['@velos/core', '@velos/log-engine'],
  velos: '*',
  '@velos/server': '*',
  '@velos/test-helpers': [],
};

/** Packages only tests may use: never a runtime dependency, never imported from a package's `src/`. */
const TEST_ONLY = ['@velos/test-helpers'];

/** Node modules a package must not use (core stays free of processes and sockets). */
const FORBIDDEN_BUILTINS: Record<string, readonly string[]> = {
  '@velos/core': ['child_process', 'net', 'node:child_process', 'node:net'],
  '@velos/log-engine': ['child_process', 'net', 'node:child_process', 'node:net'],
};

interface Pkg {
  dir: string;
  name: string;
  deps: string[];
  isPrivate: boolean;
}

function packages(): Pkg[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => {
        const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const deps = Object.keys({
          ...json.dependencies,
          ...json.peerDependencies,
          ...json.optionalDependencies,
        });
        return { dir, name: json.name as string, deps, isPrivate: json.private === true };
      }),
  );
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) found.push((m[1] ?? m[2] ?? m[3])!);
  return found;
}

describe('package topology (ARCHITECTURE.md)', () => {
  const all = packages();

  it('knows every package in packages/ and apps/', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const pkg of all)
      expect(Object.keys(ALLOWED), `${pkg.name} is not in the table`).toContain(pkg.name);
  });

  it('declares only allowed workspace dependencies', () => {
    for (const pkg of all) {
      const allowed = ALLOWED[pkg.name];
      if (allowed === '*' || allowed === undefined) continue;
      const ours = pkg.deps.filter((d) => d === 'velos' || d.startsWith('@velos/'));
      expect(
        ours.filter((d) => !allowed.includes(d)),
        `${pkg.name} depends on`,
      ).toEqual([]);
    }
  });

  it('imports only allowed packages, by root or declared subpath, never another package’s src', () => {
    for (const pkg of all) {
      const allowed = ALLOWED[pkg.name];
      for (const file of sourceFiles(join(pkg.dir, 'src'))) {
        const where = relative(root, file);
        for (const spec of importsOf(file)) {
          expect(spec.includes('/src/') && !spec.startsWith('.'), `${where} imports ${spec}`).toBe(false);
          expect(/^(\.\.\/){2,}(packages|apps)\//.test(spec), `${where} reaches into ${spec}`).toBe(false);
          const target = spec.startsWith('@velos/') ? spec.split('/').slice(0, 2).join('/') : spec;
          if (target.startsWith('@velos/') && allowed !== '*') {
            expect(allowed, `${where} imports ${target}`).toContain(target);
          }
          expect(FORBIDDEN_BUILTINS[pkg.name] ?? [], `${where} imports ${spec}`).not.toContain(spec);
        }
      }
    }
    // it reads every source file: ~0.4 s on a quiet machine, past vitest's default 5 s at load 60
  }, 30_000);

  it('keeps the test-only packages private, out of runtime dependencies and out of every src/', () => {
    for (const name of TEST_ONLY) {
      expect(all.find((pkg) => pkg.name === name)?.isPrivate, `${name} is private`).toBe(true);
    }
    for (const pkg of all) {
      expect(
        pkg.deps.filter((dep) => TEST_ONLY.includes(dep)),
        `${pkg.name} depends on`,
      ).toEqual([]);
      for (const file of sourceFiles(join(pkg.dir, 'src'))) {
        const used = importsOf(file).filter((spec) => TEST_ONLY.some((name) => spec.startsWith(name)));
        expect(used, `${relative(root, file)} imports`).toEqual([]);
      }
    }
  });
});
