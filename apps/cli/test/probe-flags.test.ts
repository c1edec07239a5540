import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVelosError, NESTED_DEFAULTS } from '@velos/core';
import * as config from '@velos/core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput } from '../src/command-spec.js';
import { type StartEnvironment, specsFromFlags } from '../src/commands/start-spec.js';

let dir = '';
let where: StartEnvironment;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'velos-probe-flags-'));
  writeFileSync(join(dir, 'app.js'), '');
  where = { cwd: dir, env: { PATH: process.env.PATH }, cpuCount: 2 };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(options: CommandInput['options']): CommandInput {
  return { options, args: [], rest: [] };
}

describe('--liveness-http and --readiness-http (SUP-11)', () => {
  it('become http probes with the default timing', () => {
    const [spec] = specsFromFlags(
      join(dir, 'app.js'),
      input({
        'liveness-http': 'http://127.0.0.1:3000/health',
        'readiness-http': 'http://127.0.0.1:3000/ready',
      }),
      where,
      config,
    );
    expect(spec!.livenessProbe).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:3000/health',
      statusMin: 200,
      statusMax: 399,
      headers: {},
      intervalMs: NESTED_DEFAULTS.probeIntervalMs,
      timeoutMs: NESTED_DEFAULTS.probeTimeoutMs,
      failureThreshold: NESTED_DEFAULTS.probeFailureThreshold,
      successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
      initialDelayMs: NESTED_DEFAULTS.probeInitialDelayMs,
    });
    expect(spec!.readinessProbe).toMatchObject({ kind: 'http', url: 'http://127.0.0.1:3000/ready' });
  });

  it('refuses a URL that is not http(s), naming the flag', () => {
    let message = '';
    try {
      specsFromFlags(join(dir, 'app.js'), input({ 'liveness-http': 'localhost:3000' }), where, config);
    } catch (error) {
      if (isVelosError(error)) message = error.message;
    }
    // the text as typed, not the probe it became ({"http":…})
    expect(message).toBe('--liveness-http: expected an http:// or https:// URL, got "localhost:3000"');
  });
});
