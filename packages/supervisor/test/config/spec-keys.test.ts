import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { type ApplyDeps, replaceSpec } from '../../src/config/config-apply.js';
import { changeEffect, SPEC_KEY_EFFECTS } from '../../src/config/spec-keys.js';

function spec(extra: Partial<AppSpec> = {}): AppSpec {
  return { ...APP_DEFAULTS, name: 'web', script: 'web.js', cwd: '/srv', env: { A: '1' }, ...extra };
}

const PROBE = {
  kind: 'exec' as const,
  command: 'true',
  intervalMs: 1000,
  timeoutMs: 1000,
  failureThreshold: 3,
  successThreshold: 1,
  initialDelayMs: 0,
};

/** Deps that record what `replaceSpec` asked of the supervisor. */
function recordingDeps(isRunning: boolean, status = 'stopped'): ApplyDeps & { calls: string[] } {
  const calls: string[] = [];
  const control = {
    start: async () => {
      calls.push('start');
      return [];
    },
    stop: async () => {
      calls.push('stop');
      return [];
    },
    delete: async () => [],
    reload: async () => {
      calls.push('reload');
      return [];
    },
    list: async () => (isRunning ? [] : [{ name: 'web', status }]),
  } as unknown as ApplyDeps['control'];
  return {
    calls,
    control,
    isRunning: () => isRunning,
    settled: async () => undefined,
    setSpec: (_name, next) => {
      calls.push(`setSpec ${next.instances}`);
    },
    scale: async (_name, instances) => {
      calls.push(`scale ${instances}`);
    },
  };
}

describe('changeEffect (CFG-2)', () => {
  it('policy keys only: applied in place', () => {
    const before = spec();
    for (const change of [
      { killTimeoutMs: 9000 },
      { restartDelayMs: 500, maxRestarts: 3, autorestart: false },
      { maxMemoryBytes: 1 << 28 },
      { cronRestart: '0 3 * * *' },
      { livenessProbe: PROBE },
      { watchdog: { timeoutMs: 60_000, intervalMs: 5000 } },
      { dependsOn: [{ name: 'db', condition: 'started' as const }] },
      // the file watcher is replaced, the processes keep running
      { watch: ['/srv/src'] },
      { ignoreWatch: ['dist'], watchDelayMs: 1000 },
    ] satisfies Partial<AppSpec>[]) {
      expect(changeEffect(before, spec(change)), JSON.stringify(change)).toBe('policy');
    }
  });

  it('log files and their settings: applied in place by the log pipelines', () => {
    const before = spec();
    for (const change of [
      { outFile: '/var/log/web.log' },
      { errFile: '/var/log/web-err.log', logFile: '/var/log/all.log' },
      { mergeLogs: true, logPerInstance: true },
      { logFormat: 'json' as const, logDateFormat: 'iso' },
      { logMaxBytes: 1024, logRotateCron: '0 0 * * *', logRetain: 2, logCompress: false },
    ] satisfies Partial<AppSpec>[]) {
      expect(changeEffect(before, spec(change)), JSON.stringify(change)).toBe('logs');
    }
    expect(changeEffect(before, spec({ logMaxBytes: 1024, killTimeoutMs: 9000 }))).toBe('logs');
  });

  it('a spawn key restarts; an instances key scales; the file link alone is nothing', () => {
    const before = spec();
    expect(changeEffect(before, spec({ env: { A: '2' }, killTimeoutMs: 9000 }))).toBe('spawn');
    expect(changeEffect(before, spec({ uid: 'www-data' }))).toBe('spawn');
    expect(changeEffect(before, spec({ instances: 2 }))).toBe('scale');
    expect(changeEffect(before, spec({ logMaxBytes: 1024, env: { A: '2' } }))).toBe('spawn');
    expect(changeEffect(before, spec({ logMaxBytes: 1024, instances: 2 }))).toBe('scale');
    expect(changeEffect(before, spec({ env: { A: '2' }, instances: 2 }))).toBe('spawn');
    expect(changeEffect(before, spec({ execMode: 'cluster', instances: 2 }))).toBe('pipeline');
    expect(changeEffect(before, spec({ source: { file: '/srv/app.toml' } }))).toBe('link');
    // the key order of a table is not a change
    expect(changeEffect(spec({ env: { A: '1', B: '2' } }), spec({ env: { B: '2', A: '1' } }))).toBe('link');
  });

  it("a job's spawn and schedule keys are in place while it stays a job; a change of type is not", () => {
    const job = spec({ type: 'job', intervalMs: 60_000 });
    expect(changeEffect(job, { ...job, env: { A: '2' }, script: 'other.js' })).toBe('policy');
    expect(changeEffect(job, { ...job, intervalMs: undefined, schedule: '0 3 * * *' })).toBe('policy');
    expect(changeEffect(job, { ...job, outFile: '/var/log/job.log', env: { A: '2' } })).toBe('logs');
    expect(changeEffect(job, { ...job, logEngine: false })).toBe('pipeline');
    expect(changeEffect(job, { ...job, type: 'service', intervalMs: undefined })).toBe('pipeline');
    expect(changeEffect(spec(), { ...job, intervalMs: undefined })).toBe('pipeline');
  });

  it('classifies every key a spec can hold', () => {
    const keys = Object.keys(SPEC_KEY_EFFECTS);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of Object.keys(spec({ livenessProbe: PROBE, uid: 1, gid: 1, ownEnv: {} }))) {
      expect(keys).toContain(key);
    }
  });
});

describe('replaceSpec (CFG-2)', () => {
  it('gives a running app a policy change in place, without stopping it', async () => {
    const deps = recordingDeps(true);
    expect(await replaceSpec(deps, spec(), spec({ killTimeoutMs: 9000 }))).toBe('updated');
    expect(deps.calls).toEqual(['setSpec 1']);
  });

  it('gives a running app new log files in place, without stopping it', async () => {
    const deps = recordingDeps(true);
    expect(await replaceSpec(deps, spec(), spec({ outFile: '/var/log/web.log', logMaxBytes: 1024 }))).toBe(
      'updated',
    );
    expect(deps.calls).toEqual(['setSpec 1']);
  });

  it('restarts a running app on a spawn change; a cluster app reloads', async () => {
    const fork = recordingDeps(true);
    expect(await replaceSpec(fork, spec(), spec({ env: { A: '2' } }))).toBe('restarted');
    expect(fork.calls).toEqual(['stop', 'start']);
    const cluster = recordingDeps(true);
    const clustered = spec({ execMode: 'cluster' });
    expect(await replaceSpec(cluster, clustered, { ...clustered, env: { A: '2' } })).toBe('restarted');
    expect(cluster.calls).toEqual(['setSpec 1', 'reload']);
  });

  it('starts an errored service with its new spec; a stopped one, or an errored job, only takes it', async () => {
    const errored = recordingDeps(false, 'errored');
    expect(await replaceSpec(errored, spec(), spec({ script: 'fixed.js' }))).toBe('restarted');
    expect(errored.calls).toEqual(['start']);
    const stopped = recordingDeps(false);
    expect(await replaceSpec(stopped, spec(), spec({ script: 'fixed.js' }))).toBe('restarted');
    expect(stopped.calls).toEqual(['setSpec 1']);
    const job = recordingDeps(false, 'errored');
    const jobSpec = spec({ type: 'job' });
    await replaceSpec(job, jobSpec, { ...jobSpec, script: 'fixed.js' });
    expect(job.calls).not.toContain('start');
  });

  it('changes the instance count alone by a scale: the instances that stay are not stopped', async () => {
    for (const isRunning of [true, false]) {
      const deps = recordingDeps(isRunning);
      const before = spec({ instances: 3 });
      expect(await replaceSpec(deps, before, spec({ instances: 1 }))).toBe('scaled');
      expect(deps.calls).toEqual(['setSpec 3', 'scale 1']);
    }
    // with policy or log keys: those in place on the instances there are, then the scale
    const deps = recordingDeps(true);
    const clustered = spec({ execMode: 'cluster', instances: 2 });
    expect(await replaceSpec(deps, clustered, { ...clustered, instances: 4, killTimeoutMs: 9000 })).toBe(
      'scaled',
    );
    expect(deps.calls).toEqual(['setSpec 2', 'scale 4']);
  });

  it('a cluster app with a spawn change and a new count: fewer instances before the reload, more after it', async () => {
    const clustered = spec({ execMode: 'cluster', instances: 3 });
    const down = recordingDeps(true);
    expect(await replaceSpec(down, clustered, { ...clustered, env: { A: '2' }, instances: 1 })).toBe(
      'restarted',
    );
    expect(down.calls).toEqual(['setSpec 3', 'scale 1', 'reload']);
    const up = recordingDeps(true);
    expect(await replaceSpec(up, clustered, { ...clustered, env: { A: '2' }, instances: 5 })).toBe(
      'restarted',
    );
    expect(up.calls).toEqual(['setSpec 3', 'reload', 'scale 5']);
    // a fork app restarts with the new count at once
    const fork = recordingDeps(true);
    expect(await replaceSpec(fork, spec(), spec({ env: { A: '2' }, instances: 2 }))).toBe('restarted');
    expect(fork.calls).toEqual(['stop', 'start']);
  });
});
