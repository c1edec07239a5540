import type { AppSpec, ProcessInfo, VelosControl, VelosEvent } from '@velos/core';
import { ErrorCodes, isVelosError } from '@velos/core';
import { isAlive } from '@velos/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, waitFor } from '../helpers.js';
import { shapeOf } from './shape.js';

/** One implementation of `VelosControl` on its own home, ready for the contract. */
export interface ContractSubject {
  control: VelosControl;
  home: string;
  /** Stops it and everything it runs (by PID) and removes the home. */
  close(): Promise<void>;
}

/** What an implementation answered in each case: result shapes and error codes and messages. */
export interface ContractRecord {
  shapes: Map<string, unknown>;
  errors: Map<string, { code: string; message: string }>;
}

/** An empty record for `describeControlContract`. */
export function contractRecord(): ContractRecord {
  return { shapes: new Map(), errors: new Map() };
}

/**
 * The behaviour every `VelosControl` promises, whatever carries it (in-process, over IPC): one
 * definition of the cases, run against the subject `create` makes; answers are kept in `record`.
 */
export function describeControlContract(
  name: string,
  create: () => Promise<ContractSubject>,
  record: ContractRecord = contractRecord(),
): void {
  describe(`VelosControl contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    let control: VelosControl;

    beforeAll(async () => {
      subject = await create();
      control = subject.control;
    });
    afterAll(() => subject?.close());

    const keep = (label: string, value: unknown) => record.shapes.set(label, shapeOf(value));
    const spec = (app: string, overrides: Partial<AppSpec> = {}) =>
      appSpec(subject!.home, { killTimeoutMs: 2000, ...overrides, name: app });
    const online = (app: string, count = 1) =>
      waitFor(
        async () => {
          const rows = (await control.list()).filter((row) => row.name === app);
          const isUp = rows.length === count && rows.every((row) => row.status === 'online' && row.pid);
          return isUp ? rows : null;
        },
        { what: `${count} online process(es) of ${app}` },
      );
    /** The error `promise` rejects with, kept under `label`; fails when it resolves. */
    const refusal = async (label: string, promise: Promise<unknown>) => {
      const error = await promise.then(
        (value) => new Error(`${label} resolved: ${JSON.stringify(value)}`),
        (caught: unknown) => caught,
      );
      if (!isVelosError(error)) throw error;
      record.errors.set(label, { code: error.code, message: error.message });
      return error;
    };

    it('ping: answers with its version, pid and home, not restoring', async () => {
      const ping = await control.ping();
      expect(ping).toMatchObject({
        version: expect.any(String),
        pid: expect.any(Number),
        home: subject!.home,
      });
      expect(ping.restoring ?? false).toBe(false);
      keep('ping', ping);
    });

    it('start, list, describe: the app runs, listed and described with its spec', async () => {
      const started = await control.start([spec('c-start')]);
      expect(started).toEqual([expect.objectContaining({ name: 'c-start', id: expect.any(Number) })]);
      keep('start', started);
      const [row] = await online('c-start');
      keep('list', await control.list());
      const details = await control.describe('c-start');
      expect(details).toEqual([
        expect.objectContaining({
          name: 'c-start',
          pid: row!.pid,
          status: 'online',
          spec: expect.objectContaining({ name: 'c-start', script: 'silent.js' }),
          outLogPath: expect.stringContaining(subject!.home),
        }),
      ]);
      keep('describe', details);
    });

    it('stop: the process ends and the app stays listed as stopped', async () => {
      await control.start([spec('c-stop')]);
      await online('c-stop');
      const stopped = await control.stop('c-stop');
      expect(stopped).toEqual([expect.objectContaining({ name: 'c-stop', status: 'stopped', pid: null })]);
      keep('stop', stopped);
      expect((await control.list()).find((row) => row.name === 'c-stop')?.status).toBe('stopped');
    });

    it('restart: a new process replaces the old one; reset: the restart counter is back at 0', async () => {
      await control.start([spec('c-restart')]);
      const [before] = await online('c-restart');
      const restarted = await control.restart('c-restart');
      expect(restarted).toEqual([expect.objectContaining({ name: 'c-restart' })]);
      keep('restart', restarted);
      const [after] = await waitFor(
        async () => {
          const rows = await online('c-restart');
          return rows[0]!.pid !== before!.pid ? rows : null;
        },
        { what: 'a new pid of c-restart' },
      );
      expect(after!.pid).not.toBe(before!.pid);
      const reset = await control.reset('c-restart');
      expect(reset).toEqual([expect.objectContaining({ name: 'c-restart', restarts: 0 })]);
      keep('reset', reset);
    });

    it('scale: to a count, then by a difference', async () => {
      await control.start([spec('c-scale')]);
      await online('c-scale');
      const up = await control.scale('c-scale', '3');
      expect(up.every((info) => info.name === 'c-scale')).toBe(true);
      keep('scale', up);
      await online('c-scale', 3);
      await control.scale('c-scale', '-1');
      await online('c-scale', 2);
    });

    it('signal: sends a named signal to every running process of the target', async () => {
      await control.start([spec('c-signal', { instances: 2 })]);
      const rows = await online('c-signal', 2);
      const signalled = await control.signal('c-signal', 'SIGCONT');
      expect(signalled.map((info) => info.pid).sort()).toEqual(rows.map((row) => row.pid).sort());
      keep('signal', signalled);
    });

    it('delete: the app leaves the list and its processes end', async () => {
      await control.start([spec('c-delete')]);
      const [row] = await online('c-delete');
      const deleted = await control.delete('c-delete');
      expect(deleted).toEqual([expect.objectContaining({ name: 'c-delete' })]);
      keep('delete', deleted);
      expect((await control.list()).some((info) => info.name === 'c-delete')).toBe(false);
      await waitFor(() => !isAlive(row!.pid), { what: 'the deleted process to end' });
    });

    it('logs and logsResult: the lines the app printed, oldest first', async () => {
      await control.start([
        spec('c-logs', { script: 'chatty.js', env: { COUNT: '5', RATE: '0', STAY: '1' } }),
      ]);
      const lines = await waitFor(
        async () => {
          const found = await control.logs({ target: 'c-logs', lines: 10 });
          return found.length === 5 ? found : null;
        },
        { what: 'the 5 lines of c-logs' },
      );
      expect(lines.map((line) => [line.stream, line.name, line.line])).toEqual(
        [1, 2, 3, 4, 5].map((n) => ['out', 'c-logs', `line ${n}`]),
      );
      keep('logs', lines);
      const result = await control.logsResult({ target: 'c-logs', lines: 10 });
      expect(result.lines.map((line) => line.line)).toEqual(lines.map((line) => line.line));
      expect(result.cut).toBeUndefined();
      keep('logsResult', result);
    });

    it('events and followEvents: the bus has the app’s start, and a follow streams it', async () => {
      await control.start([spec('c-events')]);
      await online('c-events');
      const events = await waitFor(
        async () => {
          const found = await control.events({ target: 'c-events' });
          return found.events.some((event) => event.app === 'c-events') ? found : null;
        },
        { what: 'an event of c-events' },
      );
      expect(events.events.every((event) => event.app === 'c-events')).toBe(true);
      keep('events', events);
      const follow = control.followEvents({ target: 'c-events' });
      let first: VelosEvent[] = [];
      for await (const batch of follow) {
        first = batch;
        follow.cancel();
      }
      expect(first.length).toBeGreaterThan(0);
      expect(first.every((event) => event.app === 'c-events')).toBe(true);
      keep('followEvents', first);
    });

    it('health: the worst status and each component', async () => {
      const health = await control.health();
      expect(health).toMatchObject({ status: expect.any(String), at: expect.any(Number) });
      expect(health.components.length).toBeGreaterThan(0);
      keep('health', health);
    });

    it('reportComponent, components, removeComponent: an outside component kept and forgotten', async () => {
      const reported = await control.reportComponent({
        name: 'c-backup',
        intervalMs: 60_000,
        status: 'degraded',
        message: 'slow',
      });
      expect(reported).toMatchObject({ name: 'c-backup', status: 'degraded', isStale: false, reports: 1 });
      keep('reportComponent', reported);
      const listed = await control.components();
      expect(listed.map((c) => c.name)).toEqual(['c-backup']);
      keep('components', listed);
      const health = await control.health();
      expect(health.reported?.map((c) => c.name)).toEqual(['c-backup']);
      keep('removeComponent', await control.removeComponent('c-backup'));
      const unknown = await refusal('removeComponent unknown', control.removeComponent('c-backup'));
      expect(unknown.code).toBe('TARGET_NOT_FOUND');
      const badInterval = await refusal(
        'reportComponent interval',
        control.reportComponent({ name: 'c-x', intervalMs: 10, status: 'healthy' }),
      );
      expect(badInterval.code).toBe('INVALID_ARGUMENT');
      expect(await control.components()).toEqual([]);
    });

    it('configGet and configSet: the effective spec, changed and applied', async () => {
      await control.start([spec('c-config')]);
      await online('c-config');
      const before = await control.configGet('c-config');
      expect(before).toMatchObject({ name: 'c-config', script: 'silent.js' });
      keep('configGet', before);
      const after = await control.configSet('c-config', { max_memory: '200M' });
      expect(after).toMatchObject({ name: 'c-config', maxMemoryBytes: 200 * 1024 * 1024 });
      keep('configSet', after);
      expect(await control.configGet('c-config')).toMatchObject({ maxMemoryBytes: 200 * 1024 * 1024 });
    });

    it('configSetResult: says how the app took the change (in place, restarted, scaled, or stored)', async () => {
      // as a config file's app is: its own env, its cwd without a trailing slash (else both read as changed)
      const cwd = spec('c-applied').cwd.replace(/\/+$/, '');
      await control.start([spec('c-applied', { ownEnv: {}, cwd })]);
      const [first] = await online('c-applied');
      // a policy key: the process that runs follows it, none restarted
      const inPlace = await control.configSetResult('c-applied', { max_memory: '300M' });
      expect(inPlace).toMatchObject({ applied: 'updated', spec: { maxMemoryBytes: 300 * 1024 * 1024 } });
      keep('configSetResult', inPlace);
      expect((await online('c-applied'))[0]!.pid).toBe(first!.pid);
      // the environment is read at spawn: a new process
      const env = await control.configSetResult('c-applied', { 'env.MODE': 'x' });
      expect(env.applied).toBe('restarted');
      expect((await online('c-applied'))[0]!.pid).not.toBe(first!.pid);
      expect((await control.configSetResult('c-applied', { instances: 2 })).applied).toBe('scaled');
      await online('c-applied', 2);
      // no process of it runs: its next start takes it
      await control.stop('c-applied');
      expect((await control.configSetResult('c-applied', { 'env.MODE': 'y' })).applied).toBe('stored');
      expect(
        (await control.list()).filter((row) => row.name === 'c-applied').map((row) => row.status),
      ).toEqual(['stopped', 'stopped']);
      await control.delete('c-applied');
    });

    it('scale and config of a target selecting several apps: INVALID_ARGUMENT, nothing changed', async () => {
      await control.start([spec('c-ns-a', { namespace: 'c-ns' }), spec('c-ns-b', { namespace: 'c-ns' })]);
      const [a] = await online('c-ns-a');
      await online('c-ns-b');
      const several: [string, string, () => Promise<unknown>][] = [
        ['scale', 'c-ns', () => control.scale('c-ns', '2')],
        ['scale', 'all', () => control.scale('all', '2')],
        ['config', 'c-ns', () => control.configSet('c-ns', { max_memory: '200M' })],
        ['config', 'c-ns', () => control.configGet('c-ns')],
      ];
      for (const [command, target, call] of several) {
        const error = await refusal(`several apps: ${command} ${target}`, call());
        expect(error.code, `${command} ${target}`).toBe(ErrorCodes.INVALID_ARGUMENT);
        expect(error.message).toMatch(
          new RegExp(`^'${target}' selects \\d+ apps; ${command} takes one app name$`),
        );
      }
      expect((await refusal('several apps: scale c-ns', control.scale('c-ns', '2'))).message).toBe(
        "'c-ns' selects 2 apps; scale takes one app name",
      );
      const rows = (await control.list()).filter((info) => info.name.startsWith('c-ns-'));
      expect(rows).toHaveLength(2);
      expect((await control.configGet('c-ns-b')).maxMemoryBytes).toBeUndefined();
      // a process id names its one app, as before
      await control.scale(String(a!.id), '2');
      await online('c-ns-a', 2);
      await online('c-ns-b', 1);
      await control.delete('c-ns');
    });

    it('unknown targets: TARGET_NOT_FOUND from every command that takes one', async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ['stop', () => control.stop('ghost')],
        ['restart', () => control.restart('ghost')],
        ['delete', () => control.delete('ghost')],
        ['describe', () => control.describe('ghost')],
        ['scale', () => control.scale('ghost', '2')],
        ['signal', () => control.signal('ghost', 'SIGCONT')],
        ['reset', () => control.reset('ghost')],
        ['configGet', () => control.configGet('ghost')],
        ['configSet', () => control.configSet('ghost', { max_memory: '200M' })],
      ];
      for (const [method, call] of calls) {
        const error = await refusal(`unknown target: ${method}`, call());
        expect(error.code, method).toBe(ErrorCodes.TARGET_NOT_FOUND);
        expect(error.message, method).toContain('ghost');
      }
    });

    it('invalid arguments: INVALID_ARGUMENT (or INVALID_CONFIG for a config value), nothing changed', async () => {
      await control.start([spec('c-invalid')]);
      const [row] = await online('c-invalid');
      const invalid: [string, () => Promise<unknown>][] = [
        ['stop', () => control.stop('')],
        ['scale', () => control.scale('c-invalid', 'many')],
        ['signal', () => control.signal('c-invalid', 'SIGNOPE')],
        ['logs', () => control.logs({ target: 'c-invalid', lines: -1 })],
        ['start', () => control.start([{ ...spec('c-bad'), instances: -1 }])],
      ];
      for (const [method, call] of invalid) {
        const error = await refusal(`invalid argument: ${method}`, call());
        expect(error.code, method).toBe(ErrorCodes.INVALID_ARGUMENT);
      }
      const config = await refusal(
        'invalid config value: configSet',
        control.configSet('c-invalid', { max_memory: '12parsecs' }),
      );
      expect(config.message).toMatch(/max_memory: expected a size like "200M"/);
      expect((await control.list()).filter((info) => info.name.startsWith('c-invalid'))).toEqual([
        expect.objectContaining({ status: 'online', pid: row!.pid }),
      ]);
      expect((await control.list()).some((info: ProcessInfo) => info.name === 'c-bad')).toBe(false);
    });
  });
}
