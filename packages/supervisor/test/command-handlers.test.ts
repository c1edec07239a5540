import {
  COMMAND_NAMES,
  commandEntries,
  createRemoteControl,
  ErrorCodes,
  type Subscription,
  type VelosControl,
} from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../src/command-handlers.js';
import type { CommandDispatcher } from '../src/ipc-server.js';
import { createRecordingControl, METHOD_SAMPLES, recordedAnswer, rejection } from './recording-control.js';

/** A `VelosControl` derived like the client's, whose transport is the dispatcher itself. */
function remoteOver(dispatcher: CommandDispatcher): VelosControl {
  return createRemoteControl({
    request: (cmd, payload) => dispatcher.request(cmd, payload),
    stream: (cmd, payload) => streamOver(dispatcher, cmd, payload),
  });
}

function streamOver(dispatcher: CommandDispatcher, cmd: string, payload: unknown): Subscription<unknown> {
  const items: unknown[] = [];
  let wake: () => void = () => undefined;
  let isEnded = false;
  let failure: unknown = null;
  const opened = dispatcher.stream(cmd, payload, {
    push(item) {
      items.push(item);
      wake();
    },
    end(error) {
      isEnded = true;
      failure = error ?? null;
      wake();
    },
  });
  return {
    cancel: () => void opened.then((cancel) => cancel()),
    async *[Symbol.asyncIterator]() {
      await opened;
      for (;;) {
        while (items.length > 0) yield items.shift();
        if (failure) throw failure;
        if (isEnded) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

describe('the dispatcher derived from the command table', () => {
  it('brings every VelosControl method, through the derived client, to the same method with its arguments', async () => {
    const { control, calls } = createRecordingControl();
    const remote = remoteOver(createDispatcher({ control }));
    const methods = remote as unknown as Record<string, (...args: unknown[]) => unknown>;
    const streamed = new Set<string>(
      commandEntries().flatMap((e) => (e.kind === 'stream' ? [e.method] : [])),
    );
    for (const [method, samples] of Object.entries(METHOD_SAMPLES)) {
      expect(typeof methods[method], method).toBe('function');
      for (const args of samples as unknown[][]) {
        calls.length = 0;
        const answer = methods[method]!(...args);
        if (streamed.has(method)) {
          const subscription = answer as Subscription<unknown>;
          for await (const item of subscription) {
            expect(item).toEqual(recordedAnswer(method, args));
            subscription.cancel();
          }
        } else {
          const value = await answer;
          // a view (logs, delete) is answered by its command's method (logsResult, deleteResult), projected
          const served = calls[0]!.method;
          expect(value).toEqual(served === method ? recordedAnswer(method, args) : [served]);
        }
        expect(calls).toHaveLength(1);
        expect(calls[0]!.args, method).toEqual(args);
      }
    }
  });

  it('answers UNKNOWN_COMMAND outside the table, and for a stream asked as a request or the reverse', async () => {
    const { control, calls } = createRecordingControl();
    const dispatcher = createDispatcher({ control });
    for (const cmd of ['frobnicate', 'toString', '__proto__', 'logs.follow']) {
      expect((await rejection(dispatcher.request(cmd, {}))).code, cmd).toBe(ErrorCodes.UNKNOWN_COMMAND);
    }
    const sink = { push: () => undefined, end: () => undefined };
    expect((await rejection(dispatcher.stream('list', {}, sink))).code).toBe(ErrorCodes.UNKNOWN_COMMAND);
    expect(calls).toEqual([]);
    expect(COMMAND_NAMES.filter((cmd) => dispatcher.isStream(cmd))).toEqual(['logs.follow', 'events.follow']);
  });

  it('checks the payload before the control sees it and names the path', async () => {
    const { control, calls } = createRecordingControl();
    const dispatcher = createDispatcher({ control });
    const error = await rejection(dispatcher.request('scale', { name: 'api', instances: 'many' }));
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'scale: instances: expected a whole number N (1 to 1024), +N or -N, got "many"',
    );
    expect((await rejection(dispatcher.request('stop', { target: 5 }))).message).toMatch(/^stop: target: /);
    expect((await rejection(dispatcher.request('list', { extra: 'x'.repeat(200_000) }))).message).toMatch(
      /^list: extra: a string of 200000 characters/,
    );
    expect(calls).toEqual([]);
  });

  it('words a payload that does not fit as the REST, MCP and WebSocket surfaces do, not as zod does', async () => {
    const { control, calls } = createRecordingControl();
    const dispatcher = createDispatcher({ control });
    const lines = await rejection(dispatcher.request('logs', { target: 'api', lines: 5_000_000 }));
    expect(lines.message).toBe('logs: lines: expected a number <= 1000000, got 5000000');
    // the field and detail a surface renames to its own (`--lines`, `pattern`)
    expect(lines.data).toMatchObject({ field: 'lines', detail: 'expected a number <= 1000000, got 5000000' });
    expect((await rejection(dispatcher.request('stop', {}))).message).toBe(
      'stop: target: required, expected a string or an array',
    );
    expect((await rejection(dispatcher.request('logs', { stream: 'both' }))).message).toBe(
      'logs: stream: expected one of "out", "err", "all", got "both"',
    );
    const env = await rejection(dispatcher.request('restart', { target: 'api', env: { A: 1, B: 2 } }));
    expect(env.message).toBe('restart: env.A: expected a string, got 1');
    expect((env.data as { issues: unknown[] }).issues).toEqual([
      { path: 'env.A', message: 'expected a string, got 1' },
      { path: 'env.B', message: 'expected a string, got 2' },
    ]);
    expect(calls).toEqual([]);
  });

  it('tells the host which command was answered, after the answer', async () => {
    const { control } = createRecordingControl();
    const answered: string[] = [];
    const dispatcher = createDispatcher({ control, onAnswered: (cmd) => answered.push(cmd) });
    const result = await dispatcher.request('kill', undefined);
    expect(result).toMatchObject({ method: 'kill' });
    expect(answered).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toEqual(['kill']);
  });
});
