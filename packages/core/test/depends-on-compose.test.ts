import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import { isVelosError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-core-depends-on-'));
const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 2 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads one YAML config document holding `apps`. */
function load(yaml: string) {
  const path = join(dir, `app-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return loadConfigFile(path, ctx);
}

describe('depends_on conditions as Docker Compose writes them (SUP-12)', () => {
  it('takes service_started, service_healthy and service_completed_successfully', async () => {
    const specs = await load(
      [
        'apps:',
        '  - name: api',
        '    script: a.js',
        '    depends_on:',
        '      db: { condition: service_healthy }',
        '      migrate: { condition: service_completed_successfully }',
        '      cache: { condition: service_started }',
      ].join('\n'),
    );
    expect(specs[0]!.dependsOn).toEqual([
      { name: 'db', condition: 'healthy' },
      { name: 'migrate', condition: 'completed_successfully' },
      { name: 'cache', condition: 'started' },
    ]);
  });

  it('still refuses a condition it does not know, naming the known ones', async () => {
    const failure = await load(
      'apps:\n  - name: a\n    script: a.js\n    depends_on:\n      db: { condition: service_ready }\n',
    ).catch((error: unknown) => error);
    expect(isVelosError(failure)).toBe(true);
    expect((failure as Error).message).toContain(
      'expected one of "started", "healthy", "completed_successfully", got "service_ready"',
    );
  });
});
