import { APP_DEFAULTS, type LogLine, type ProcessDetail, type ProcessInfo } from '@velos/core';

/** A process row with everything filled in; override what a test is about. */
export function processInfo(overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    id: 0,
    name: 'api',
    namespace: 'default',
    instance: 0,
    pid: 1234,
    status: 'online',
    restarts: 0,
    unstableRestarts: 0,
    cpu: 2.14,
    memory: 45 * 1024 * 1024,
    uptime: 2 * 86_400_000 + 5000,
    startedAt: 1_700_000_000_000,
    createdAt: 1_700_000_000_000,
    exitCode: null,
    signal: null,
    lastExitReason: null,
    restartAt: null,
    execMode: 'fork',
    type: 'service',
    ...overrides,
  };
}

/** A `describe` answer for `processInfo(overrides)`. */
export function processDetail(
  overrides: Partial<ProcessInfo> & Partial<Pick<ProcessDetail, 'lastStartedAt'>> = {},
): ProcessDetail {
  const { lastStartedAt, ...info } = overrides;
  const row = processInfo(info);
  return {
    ...row,
    spec: {
      ...APP_DEFAULTS,
      name: 'api',
      script: '/srv/api/server.js',
      args: ['--port', '3000'],
      cwd: '/srv/api',
      stopExitCodes: [],
      interpreterArgs: [],
      envKeys: ['PATH', 'HOME'],
    },
    command: { file: '/usr/bin/node', args: ['/srv/api/server.js', '--port', '3000'], shell: false },
    outLogPath: '/home/me/.velos/logs/api-out.log',
    errLogPath: '/home/me/.velos/logs/api-err.log',
    lastStartedAt: lastStartedAt === undefined ? row.startedAt : lastStartedAt,
    cpuPeak: 12.5,
    memoryPeak: 60 * 1024 * 1024,
    logLines: { out: 120, err: 3 },
    logDropped: 0,
  };
}

/** One captured line. */
export function logLine(line: string, stream: 'out' | 'err' = 'out'): LogLine {
  return { ts: 1_700_000_000_000, stream, id: 0, name: 'api', pid: 1234, line };
}
