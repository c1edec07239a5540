import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS, lateTierUpFlags } from '../src/context.js';

describe('the node flags of a daemon the client starts', () => {
  it('delays tier-up with the flags of each V8, none for a V8 it does not know', () => {
    expect(lateTierUpFlags('11.3.244.8-node.33')).toEqual(['--interrupt-budget=1048576']);
    expect(lateTierUpFlags('13.6.233.17-node.37')).toEqual([
      '--invocation-count-for-maglev=40000',
      '--invocation-count-for-turbofan=30000',
    ]);
    expect(lateTierUpFlags('12.4.254.21-node.33')).toEqual([]);
  });

  it('are accepted by this node', () => {
    const flags = [...DAEMON_NODE_FLAGS, ...lateTierUpFlags(process.versions.v8)];
    const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
