import type { AlertRule } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { newInstance, step } from '../../src/alerts/alert-state.js';

const rule: AlertRule = {
  name: 'r',
  when: { kind: 'errored' },
  severity: 'warning',
  forMs: 100,
  repeatMs: 1000,
  resolveAfterMs: 60_000,
  channels: [],
  escalation: { afterRepeats: 2, severity: 'critical', channels: [] },
  source: 'runtime',
};

describe('the state machine of one alert', () => {
  it('goes pending, fires after for, repeats, escalates after N repeats, and resolves', () => {
    const instance = newInstance('api', 0);
    expect(step(rule, instance, 'api errored', 0)).toBeNull();
    expect(instance.phase).toBe('pending');
    expect(step(rule, instance, 'api errored', 50)).toBeNull();
    expect(step(rule, instance, 'api errored', 100)).toEqual({
      type: 'firing',
      repeat: 0,
      isEscalation: false,
    });
    expect(step(rule, instance, 'api errored', 900)).toBeNull();
    expect(step(rule, instance, 'api errored', 1100)).toEqual({
      type: 'firing',
      repeat: 1,
      isEscalation: false,
    });
    expect(step(rule, instance, 'api errored', 2100)).toEqual({
      type: 'firing',
      repeat: 2,
      isEscalation: false,
    });
    // after 2 repeats the escalation waits for the next repeat's time and goes out in its place:
    // never the 2nd repeat and the escalation at once
    expect(step(rule, instance, 'api errored', 2100)).toBeNull();
    expect(step(rule, instance, 'api errored', 3000)).toBeNull();
    expect(step(rule, instance, 'api errored', 3100)).toEqual({
      type: 'firing',
      repeat: 3,
      isEscalation: true,
    });
    expect(instance.escalationLevel).toBe(1);
    expect(step(rule, instance, 'api errored', 3200)).toBeNull();
    // the repeats go on from the escalation, which was the 3rd
    expect(step(rule, instance, 'api errored', 4100)).toEqual({
      type: 'firing',
      repeat: 4,
      isEscalation: false,
    });
    expect(step(rule, instance, null, 4500)).toEqual({ type: 'resolved' });
    expect(instance).toMatchObject({ phase: 'resolved', since: 4500, firingSince: 100 });
  });

  it('repeats and waits out `for` from now after the clock stepped back, not once the clock is back', () => {
    const hour = 3_600_000;
    const firing = newInstance('api', 10 * hour);
    step(rule, firing, 'api errored', 10 * hour);
    expect(step(rule, firing, 'api errored', 10 * hour + 100)).toMatchObject({ type: 'firing', repeat: 0 });
    // the clock steps back an hour: the repeat is due one repeat interval later, not an hour and one later
    expect(step(rule, firing, 'api errored', 9 * hour)).toBeNull();
    expect(step(rule, firing, 'api errored', 9 * hour + 1000)).toMatchObject({ type: 'firing', repeat: 1 });
    expect(firing.since).toBe(9 * hour);
    const pending = newInstance('worker', 10 * hour);
    step(rule, pending, 'worker errored', 10 * hour);
    expect(step(rule, pending, 'worker errored', 9 * hour)).toBeNull();
    expect(step(rule, pending, 'worker errored', 9 * hour + 100)).toMatchObject({
      type: 'firing',
      repeat: 0,
    });
  });

  it('a condition that ends while pending sends nothing', () => {
    const instance = newInstance('api', 0);
    step(rule, instance, 'x', 0);
    expect(step(rule, instance, null, 50)).toBeNull();
    expect(instance.phase).toBe('ok');
  });

  it('escalates after a time unresolved', () => {
    const timed: AlertRule = {
      ...rule,
      forMs: 0,
      repeatMs: undefined,
      escalation: { afterMs: 500, channels: [] },
    };
    const instance = newInstance('api', 0);
    expect(step(timed, instance, 'x', 0)?.type).toBe('firing');
    expect(step(timed, instance, 'x', 400)).toBeNull();
    expect(step(timed, instance, 'x', 500)).toEqual({ type: 'firing', repeat: 0, isEscalation: true });
    expect(step(timed, instance, 'x', 5000)).toBeNull();
  });
});
