import { ErrorCodes } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../src/command-handlers.js';
import { createSupervisor } from '../src/supervisor.js';
import { validatedControl } from '../src/validated-control.js';
import { appSpec, Harness } from './helpers.js';
import { createRecordingControl, METHOD_SAMPLES, recordedAnswer, rejection } from './recording-control.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('validatedControl', () => {
  it('passes valid arguments of every method through unchanged, with the value', async () => {
    const { control, calls } = createRecordingControl();
    const validated = validatedControl(control);
    const methods = validated as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const method of ['stop', 'restart', 'runs', 'flush', 'list', 'scale'] as const) {
      for (const args of METHOD_SAMPLES[method] as unknown[][]) {
        calls.length = 0;
        expect(await methods[method]!(...args)).toEqual(recordedAnswer(method, args));
        expect(calls).toEqual([{ method, args }]);
      }
    }
    expect(await validated.logs({ lines: 3 })).toEqual(['logsResult']);
  });

  it('refuses invalid arguments with the error the socket gives, before the control sees them', async () => {
    const { control, calls } = createRecordingControl();
    const validated = validatedControl(control);
    const dispatcher = createDispatcher({ control });
    const direct = await rejection(validated.scale('api', 'many'));
    const wire = await rejection(dispatcher.request('scale', { name: 'api', instances: 'many' }));
    expect(direct.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(direct.message).toBe(wire.message);
    expect(direct.data).toEqual(wire.data);
    expect((await rejection(validated.logs({ lines: -1 }))).message).toMatch(/^logs: lines: /);
    expect((await rejection(validated.runs('job', 0))).message).toMatch(/^runs: limit: /);
    expect((await rejection(validated.stop(''))).message).toMatch(/^stop: target: /);
    expect(calls).toEqual([]);
  });

  it('ends a stream with invalid arguments with the error, and streams valid ones', async () => {
    const { control, calls } = createRecordingControl();
    const validated = validatedControl(control);
    const bad = validated.followLogs({ stream: 'both' as 'all' });
    const iterated = (async () => {
      for await (const _ of bad) return 'item';
      return 'ended';
    })();
    expect((await rejection(iterated)).message).toMatch(/^logs\.follow: stream: /);
    const good = validated.followLogs({ target: 'api', lines: 0 });
    for await (const item of good) {
      expect(item).toEqual(recordedAnswer('followLogs', [{ target: 'api', lines: 0 }]));
      good.cancel();
    }
    expect(calls).toEqual([{ method: 'followLogs', args: [{ target: 'api', lines: 0 }] }]);
  });

  it('keeps an in-process supervisor from starting an app the daemon would refuse', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const control = validatedControl(supervisor);
    const error = await rejection(control.start([appSpec(home, { name: 'all' })]));
    expect(error.message).toBe('start: apps[0].name: must not be "all" or a number (they are targets)');
    expect((await rejection(control.start([appSpec(home, { name: 'web', cwd: 'relative' })]))).message).toBe(
      'start: apps[0].cwd: expected an absolute path, got "relative"',
    );
    expect(await control.list()).toEqual([]);
    const [info] = await control.start([appSpec(home, { name: 'web' })]);
    expect(info).toMatchObject({ name: 'web', status: 'online' });
    expect((await control.stop('web'))[0]).toMatchObject({ status: 'stopped' });
  });
});
