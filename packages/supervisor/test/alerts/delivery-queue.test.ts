import { describe, expect, it } from 'vitest';
import { createDeliveryQueue } from '../../src/alerts/delivery-queue.js';

/** A job that ends when `end()` is called, recording that it ran. */
function gate(name: string, ran: string[]) {
  let end = (): void => undefined;
  const job = () =>
    new Promise<string>((resolve) => {
      ran.push(name);
      end = () => resolve(name);
    });
  return { job, end: () => end() };
}

describe('a rule delivery queue', () => {
  it('runs jobs one at a time in order, drops the oldest waiting past its bound and says so once per backlog', async () => {
    const reports: string[] = [];
    const queue = createDeliveryQueue(
      {
        onFirstDrop: (max) => reports.push(`first drop (${max})`),
        onDrained: (count) => reports.push(`drained, ${count} dropped`),
      },
      2,
    );
    const ran: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gate(name, ran));
    const results = [a, b, c, d].map((g) => queue.push(g!.job, () => 'dropped'));
    expect(ran).toEqual(['a']);
    expect(queue.waiting).toBe(2);
    expect(reports).toEqual(['first drop (2)']);
    expect(await results[1]).toBe('dropped');
    a!.end();
    expect(await results[0]).toBe('a');
    await Promise.resolve();
    expect(ran).toEqual(['a', 'c']);
    c!.end();
    await results[2];
    await Promise.resolve();
    d!.end();
    expect(await results[3]).toBe('d');
    await Promise.resolve();
    expect(reports).toEqual(['first drop (2)', 'drained, 1 dropped']);
  });

  it('clear drops every waiting job and counts the earlier drops of the backlog with them', async () => {
    const reports: string[] = [];
    const queue = createDeliveryQueue(
      { onFirstDrop: () => reports.push('first'), onDrained: () => reports.push('drained') },
      1,
    );
    const ran: string[] = [];
    const gates = ['a', 'b', 'c'].map((name) => gate(name, ran));
    const results = gates.map((g) => queue.push(g.job, () => 'dropped'));
    expect(queue.clear()).toBe(2);
    expect(await results[2]).toBe('dropped');
    gates[0]!.end();
    expect(await results[0]).toBe('a');
    await Promise.resolve();
    expect(ran).toEqual(['a']);
    expect(reports).toEqual(['first']);
  });
});
