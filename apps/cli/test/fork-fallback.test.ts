import { describe, expect, it } from 'vitest';
import { forkFallbackWarnings } from '../src/commands/fork-fallback.js';

const cluster = (name: string, script: string) => ({ name, script, execMode: 'cluster' as const });
const rows = (name: string, mode: 'fork' | 'cluster', count: number) =>
  Array.from({ length: count }, () => ({ name, execMode: mode }));

describe('forkFallbackWarnings (SUP-5)', () => {
  it('warns when -i asked for cluster mode and the program runs as fork instances', () => {
    const [warning, ...rest] = forkFallbackWarnings([cluster('sh', 'script.sh')], rows('sh', 'fork', 3));
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^sh: runs as 3 fork instances, not in cluster mode: only a Node script/);
    expect(warning).toMatch(/--interpreter node.*--increment-var PORT/);
  });

  it('tells a "node server.js" command to give the script itself', () => {
    expect(forkFallbackWarnings([cluster('api', 'node server.js')], rows('api', 'fork', 2))).toEqual([
      expect.stringContaining('give the script itself (velos start server.js -i …)'),
    ]);
  });

  it('tells a TypeScript script that tsx runs (before Node 22.6) why, not to try --interpreter node', () => {
    const [warning] = forkFallbackWarnings([cluster('api', '/srv/api/main.ts')], rows('api', 'fork', 2));
    expect(warning).toContain('(a TypeScript one from Node 22.6, which runs it itself; before, tsx runs it');
    expect(warning).not.toContain('--interpreter node');
  });

  it('says nothing for cluster workers, fork mode asked for, or an app not listed', () => {
    expect(forkFallbackWarnings([cluster('web', 'server.js')], rows('web', 'cluster', 2))).toEqual([]);
    const fork = { name: 'f', script: 'f.sh', execMode: 'fork' as const };
    expect(forkFallbackWarnings([fork], rows('f', 'fork', 2))).toEqual([]);
    expect(forkFallbackWarnings([cluster('gone', 'x.sh')], [])).toEqual([]);
  });
});
