import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as config from '@velos/core/config';
import { afterAll, describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { specsFromFlags } from '../src/commands/start-spec.js';
import { parseCommandArgs } from '../src/parse-argv.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-cluster-flags-'));
writeFileSync(join(dir, 'app.js'), '');
const where = { cwd: dir, env: { PATH: '/usr/bin', PORT: '3000' }, cpuCount: 4 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specFor(argv: string[]) {
  const input = parseCommandArgs(findCommand('start')!, ['app.js', ...argv]);
  return specsFromFlags(join(dir, 'app.js'), input, where, config)[0]!;
}

describe('cluster flags (SUP-5, SUP-6)', () => {
  it('-i means cluster mode unless --exec-mode or -x says fork; -i max and 0 are one per CPU, -1 CPUs - 1', () => {
    expect(specFor([]).execMode).toBe('fork');
    expect(specFor(['-i', '3'])).toMatchObject({ instances: 3, execMode: 'cluster' });
    expect(specFor(['-i', '3', '--exec-mode', 'fork'])).toMatchObject({ instances: 3, execMode: 'fork' });
    expect(specFor(['--exec-mode', 'cluster']).execMode).toBe('cluster');
    expect(specFor(['-i', 'max']).instances).toBe(4);
    expect(specFor(['-i', '0']).instances).toBe(4);
    expect(specFor(['-i', '-1']).instances).toBe(3);
    expect(specFor(['-i', '3', '-x'])).toMatchObject({ instances: 3, execMode: 'fork' });
  });

  it('takes --increment-var, --wait-ready and --listen-timeout', () => {
    expect(specFor(['--increment-var', 'PORT', '--wait-ready', '--listen-timeout', '3s'])).toMatchObject({
      incrementVar: 'PORT',
      waitReady: true,
      listenTimeoutMs: 3000,
    });
    expect(() => specFor(['--exec-mode', 'both'])).toThrow(/--exec-mode/);
  });

  it('reads `velos scale api -2` as a count, not a flag', () => {
    expect(parseCommandArgs(findCommand('scale')!, ['api', '-2']).args).toEqual(['api', '-2']);
    expect(parseCommandArgs(findCommand('scale')!, ['api', '+2']).args).toEqual(['api', '+2']);
  });
});
