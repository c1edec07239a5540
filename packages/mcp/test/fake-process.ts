import type { ProcessInfo } from '@velos/core';

/** A process row as `list` answers it: an online fork service `api` (id 0), with `overrides`. */
export function fakeProcess(overrides: Partial<ProcessInfo>): ProcessInfo {
  return {
    id: 0,
    name: 'api',
    namespace: 'default',
    instance: 0,
    pid: 100,
    status: 'online',
    restarts: 0,
    unstableRestarts: 0,
    cpu: 0,
    memory: 0,
    uptime: 1000,
    startedAt: 0,
    createdAt: 0,
    exitCode: null,
    signal: null,
    lastExitReason: null,
    restartAt: null,
    execMode: 'fork',
    type: 'service',
    ...overrides,
  };
}
