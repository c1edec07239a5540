import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec, Dependency } from '@velos/core';
import { appSpec } from './helpers.js';

/** An app (fixtures/order-recorder.js) that writes "start <name>" / "stop <name>" lines to the home's order file. */
export function recorder(home: string, name: string, dependsOn: Dependency[] = []): AppSpec {
  return appSpec(home, {
    name,
    script: 'order-recorder.js',
    dependsOn,
    env: { ORDER_FILE: join(home, 'order.txt') },
  });
}

/** The order file's events in order, e.g. ["start a", "start b", "stop b"]; [] before the first. */
export function events(home: string): string[] {
  const file = join(home, 'order.txt');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ').slice(0, 2).join(' '));
}

/** The recorder app `db`, ready (its readiness probe passes) once `readyFile` exists. */
export function readyWhenFile(home: string, readyFile: string): AppSpec {
  return {
    ...recorder(home, 'db'),
    readinessProbe: {
      kind: 'exec',
      command: `test -f ${readyFile}`,
      intervalMs: 100,
      timeoutMs: 2000,
      failureThreshold: 1,
      successThreshold: 1,
      initialDelayMs: 0,
    },
  };
}
