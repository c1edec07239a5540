import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CACHE_KEY_STAMP } from '../src/cache-key-stamp.js';

// Issue 17: what bin/velos.js relies on in the quick paths' bundles (built by `pnpm build`).
const read = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../dist/${name}`, import.meta.url)), 'utf8');
const BUNDLES = ['velos.cjs', 'velos-start.cjs', 'velos-complete.cjs'];

describe('the quick bundles (dist/velos.cjs, dist/velos-start.cjs, dist/velos-complete.cjs)', () => {
  it('have no import(): bin/velos.js runs them as scripts, where it is not available', () => {
    for (const name of BUNDLES) expect(read(name), name).not.toMatch(/(^|[^\w$.])import\(/);
  });

  it('require built-in modules only: bin/velos.js runs them with its own require', () => {
    for (const name of BUNDLES) {
      const required = [...read(name).matchAll(/[^\w$.]require\(([^)]*)\)/g)].map((match) => match[1]);
      expect(required.length, name).toBeGreaterThan(0);
      for (const specifier of required) expect(specifier, name).toMatch(/^"node:[\w/]+"$/);
    }
  });

  it('carry the stamp their code cache is keyed by, which bin/velos.js reads', () => {
    for (const name of BUNDLES) expect(read(name), name).toMatch(/^\/\*velos-cache-key:[0-9a-f]{64}\*\/\n/);
    expect(read('velos.cjs').startsWith(CACHE_KEY_STAMP)).toBe(true);
    const bin = readFileSync(fileURLToPath(new URL('../bin/velos.js', import.meta.url)), 'utf8');
    expect(bin).toContain(`const CACHE_KEY_STAMP = '${CACHE_KEY_STAMP}';`);
  });

  it('require net, child_process and timers/promises only when called (the fallback to net)', () => {
    for (const name of BUNDLES) {
      const source = read(name);
      for (const builtin of ['node:net', 'node:child_process', 'node:timers/promises']) {
        const requires = source.match(new RegExp(`.{7}require\\("${builtin}"\\)`, 'g')) ?? [];
        expect(requires.length, `${name} ${builtin}`).toBeLessThanOrEqual(1);
        for (const found of requires) expect(found, `${name} ${builtin}`).toMatch(/^return /);
      }
    }
  });
});
