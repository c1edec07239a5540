import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `velos env` only computes an instance's env: it must not load the supervisor bundle to do so.
describe('velos env', () => {
  it('imports nothing of @velos/supervisor', () => {
    const source = readFileSync(fileURLToPath(new URL('../src/commands/env.ts', import.meta.url)), 'utf8');
    expect(source).not.toMatch(/from '@velos\/supervisor'|import\('@velos\/supervisor'\)/);
  });
});
