import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../src/alert-rule.js';
import { APP_DEFAULTS, type AppSpec } from '../src/app-spec.js';
import type { VelosControl } from '../src/control.js';
import {
  COMMAND_NAMES,
  type CommandName,
  commandEntries,
  findCommand,
  PROTOCOL_COMMANDS,
  type StreamCommandName,
} from '../src/protocol-commands.js';
import { requestSchemas } from '../src/protocol-schemas.js';

const rule: AlertRule = {
  name: 'storm',
  when: { kind: 'restarts', count: 3, windowMs: 60_000 },
  severity: 'warning',
  forMs: 0,
  resolveAfterMs: 60_000,
  channels: [{ type: 'command', command: ['/bin/true'], timeoutMs: 1000 }],
  source: 'runtime',
};
const spec: AppSpec = { ...APP_DEFAULTS, name: 'api', script: 'server.js', cwd: '/srv/api', env: {} };

type Table = typeof PROTOCOL_COMMANDS;
type Served = {
  [K in keyof Table]:
    | Table[K]['method']
    | (Table[K] extends { views?: infer V } ? keyof NonNullable<V> : never);
}[keyof Table];
// Fails to compile when a `VelosControl` method is served by no command (and so the client lacks it).
const everyMethodServed: [Exclude<keyof VelosControl, Served>] extends [never] ? true : never = true;

/** Arguments of each command's method and the payload they are sent as: the wire format, pinned. */
const WIRE: { [K in CommandName | StreamCommandName]: { args: unknown[]; payload: unknown }[] } = {
  ping: [{ args: [], payload: {} }],
  start: [{ args: [[spec]], payload: { apps: [spec] } }],
  stop: [{ args: ['api'], payload: { target: 'api' } }],
  restart: [
    { args: ['api'], payload: { target: 'api' } },
    { args: ['all', { env: { A: '1' } }], payload: { target: 'all', env: { A: '1' } } },
  ],
  reload: [
    { args: ['api'], payload: { target: 'api' } },
    { args: ['api', { env: { A: '1' } }], payload: { target: 'api', env: { A: '1' } } },
  ],
  scale: [{ args: ['api', '+2'], payload: { name: 'api', instances: '+2' } }],
  runs: [
    { args: ['job'], payload: { target: 'job' } },
    { args: ['job', 5], payload: { target: 'job', limit: 5 } },
  ],
  trigger: [
    { args: ['job'], payload: { target: 'job' } },
    { args: ['job', { force: true }], payload: { target: 'job', force: true } },
  ],
  delete: [{ args: ['3'], payload: { target: '3' } }],
  list: [{ args: [], payload: {} }],
  describe: [{ args: ['api'], payload: { target: 'api' } }],
  logs: [
    {
      args: [{ target: 'api', lines: 5, stream: 'err' }],
      payload: { target: 'api', lines: 5, stream: 'err' },
    },
  ],
  'logs.follow': [{ args: [{ lines: 0 }], payload: { lines: 0 } }],
  'logs.search': [
    {
      args: [{ target: 'api', grep: 'timeout', level: 'error', since: 1, limit: 5 }],
      payload: { target: 'api', grep: 'timeout', level: 'error', since: 1, limit: 5 },
    },
  ],
  'logs.analyze': [
    {
      args: [{ target: 'api', view: 'summary', periodMs: 3_600_000 }],
      payload: { target: 'api', view: 'summary', periodMs: 3_600_000 },
    },
  ],
  events: [
    { args: [{}], payload: {} },
    {
      args: [{ target: 'api', kinds: ['exited'], limit: 5 }],
      payload: { target: 'api', kinds: ['exited'], limit: 5 },
    },
  ],
  'events.follow': [{ args: [{ afterSeq: 3 }], payload: { afterSeq: 3 } }],
  'events.emit': [{ args: [{ name: 'sync.done', app: 'api' }], payload: { name: 'sync.done', app: 'api' } }],
  components: [{ args: [], payload: {} }],
  'components.report': [
    {
      args: [{ name: 'backup', intervalMs: 60_000, status: 'healthy' }],
      payload: { name: 'backup', intervalMs: 60_000, status: 'healthy' },
    },
  ],
  'components.remove': [{ args: ['backup'], payload: { name: 'backup' } }],
  health: [{ args: [], payload: {} }],
  metrics: [{ args: [], payload: {} }],
  'metrics.history': [
    { args: [{ target: 'api' }], payload: { target: 'api' } },
    {
      args: [{ target: 'all', sinceMs: 3_600_000, points: 60 }],
      payload: { target: 'all', sinceMs: 3_600_000, points: 60 },
    },
  ],
  'metrics.report': [
    {
      args: [{ target: 'api', instance: 1, velos_metric: 'jobs_total', type: 'counter' }],
      payload: { target: 'api', instance: 1, velos_metric: 'jobs_total', type: 'counter' },
    },
  ],
  alerts: [{ args: [], payload: {} }],
  'alerts.add': [{ args: [rule], payload: { rule } }],
  'alerts.remove': [{ args: ['storm'], payload: { name: 'storm' } }],
  'alerts.test': [{ args: ['storm'], payload: { name: 'storm' } }],
  'alerts.set': [{ args: ['/srv/app.toml', [rule]], payload: { source: '/srv/app.toml', rules: [rule] } }],
  'config.reload': [
    { args: [], payload: {} },
    { args: ['/srv/app.toml'], payload: { file: '/srv/app.toml' } },
  ],
  'config.get': [{ args: ['api'], payload: { target: 'api' } }],
  'config.set': [
    { args: ['api', { max_memory: '200M' }], payload: { target: 'api', changes: { max_memory: '200M' } } },
  ],
  flush: [
    { args: [], payload: {} },
    { args: ['api'], payload: { target: 'api' } },
  ],
  reloadLogs: [
    { args: [], payload: {} },
    { args: ['api'], payload: { target: 'api' } },
  ],
  save: [{ args: [], payload: {} }],
  resurrect: [{ args: [], payload: {} }],
  kill: [{ args: [], payload: {} }],
  handOver: [{ args: [], payload: {} }],
  signal: [{ args: ['api', 'SIGUSR2'], payload: { target: 'api', signal: 'SIGUSR2' } }],
  reset: [{ args: ['api'], payload: { target: 'api' } }],
};

describe('the command table', () => {
  it('serves every VelosControl method, each from one command', () => {
    expect(everyMethodServed).toBe(true);
    const methods = commandEntries().flatMap((entry) => [
      entry.method,
      ...Object.keys(entry.kind === 'request' ? (entry.views ?? {}) : {}),
    ]);
    expect(new Set(methods).size).toBe(methods.length);
  });

  it('has a request schema for every command and a command for every schema', () => {
    expect(Object.keys(requestSchemas).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('keeps the wire names of the protocol', () => {
    expect(COMMAND_NAMES).toEqual(Object.keys(WIRE));
    expect(findCommand('logs.follow')?.kind).toBe('stream');
    expect(findCommand('toString')).toBeUndefined();
  });

  it("maps arguments to the wire's payloads, which the schemas accept, and back", () => {
    for (const entry of commandEntries()) {
      for (const { args, payload } of WIRE[entry.name as keyof typeof WIRE]) {
        expect(entry.toPayload(...args), entry.name).toEqual(payload);
        const parsed = requestSchemas[entry.name as keyof typeof requestSchemas].safeParse(payload);
        expect(parsed.success, entry.name).toBe(true);
        expect(entry.toArgs(parsed.data ?? {}), entry.name).toEqual(args);
      }
    }
  });

  it('takes an absent or empty payload for the commands without arguments', () => {
    for (const entry of commandEntries().filter((e) => e.hasNoPayload)) {
      const schema = requestSchemas[entry.name as keyof typeof requestSchemas];
      expect(schema.safeParse(undefined).success, entry.name).toBe(true);
      expect(entry.toPayload()).toEqual({});
    }
  });

  it('wraps values in the results of the wire and unwraps them', () => {
    const processes = [{ id: 1 }];
    expect(PROTOCOL_COMMANDS.stop.toResult(processes as never)).toEqual({ processes });
    expect(PROTOCOL_COMMANDS.flush.toResult(['/a.log'])).toEqual({ flushed: ['/a.log'] });
    expect(PROTOCOL_COMMANDS.reloadLogs.toResult(['/a.log'])).toEqual({ reopened: ['/a.log'] });
    expect(PROTOCOL_COMMANDS.runs.toResult([])).toEqual({ runs: [] });
    expect(PROTOCOL_COMMANDS['logs.follow'].toItem([])).toEqual({ lines: [] });
    const logs = { lines: [], cut: { maxBytes: 1, omittedLines: 2, files: [] } };
    expect(PROTOCOL_COMMANDS.logs.toResult(logs)).toBe(logs);
    expect(PROTOCOL_COMMANDS.logs.views?.logs?.(logs)).toBe(logs.lines);
    for (const entry of commandEntries()) {
      const value = { marker: entry.name };
      if (entry.kind === 'request') expect(entry.fromResult(entry.toResult(value))).toBe(value);
      else expect(entry.fromItem(entry.toItem(value))).toBe(value);
    }
  });

  it('describes every command for the REST and MCP layers', () => {
    for (const entry of commandEntries()) {
      expect(entry.description.length, entry.name).toBeGreaterThan(10);
      expect(entry.description, entry.name).not.toContain('\n');
      if (entry.isReadOnly) expect(entry.isDestructive, entry.name).toBe(false);
    }
    expect(
      commandEntries()
        .filter((e) => e.isReadOnly)
        .map((e) => e.name),
    ).toEqual([
      'ping',
      'runs',
      'list',
      'describe',
      'logs',
      'logs.follow',
      'logs.search',
      'logs.analyze',
      'events',
      'events.follow',
      'components',
      'health',
      'metrics',
      'metrics.history',
      'alerts',
      'config.get',
    ]);
  });
});
