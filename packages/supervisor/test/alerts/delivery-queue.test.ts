import { describe, expect, it } from 'vitest';
import { createDeliveryQueue, type DropReport } from '../../src/alerts/delivery-queue.js';

interface JobItem {
  key: string;
  status: 'firing' | 'resolved';
  batch: string;
  job: () => Promise<string>;
  dropped: () => string;
}

/** A queue of one job per item (no grouping): `push(job, dropped, tag)`. */
function jobQueue(report: DropReport, maxWaiting?: number) {
  const queue = createDeliveryQueue<JobItem, string>({
    report,
    send: (items) => items[0]!.job(),
    dropped: (item) => item.dropped(),
    ...(maxWaiting === undefined ? {} : { maxWaiting }),
  });
  let untagged = 0;
  return {
    queue,
    push: (
      job: () => Promise<string>,
      dropped: () => string,
      tag?: { key: string; status: 'firing' | 'resolved' },
    ) =>
      queue.push({
        ...(tag ?? { key: `untagged-${untagged++}`, status: 'firing' }),
        batch: '',
        job,
        dropped,
      }),
  };
}

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
    const { queue, push } = jobQueue(
      {
        onFirstDrop: (max) => reports.push(`first drop (${max})`),
        onDrained: (count) => reports.push(`drained, ${count} dropped`),
      },
      2,
    );
    const ran: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gate(name, ran));
    const results = [a, b, c, d].map((g) => push(g!.job, () => 'dropped'));
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
    const { queue, push } = jobQueue(
      { onFirstDrop: () => reports.push('first'), onDrained: () => reports.push('drained') },
      1,
    );
    const ran: string[] = [];
    const gates = ['a', 'b', 'c'].map((name) => gate(name, ran));
    const results = gates.map((g) => push(g.job, () => 'dropped'));
    expect(queue.clear()).toBe(2);
    expect(await results[2]).toBe('dropped');
    gates[0]!.end();
    expect(await results[0]).toBe('a');
    await Promise.resolve();
    expect(ran).toEqual(['a']);
    expect(reports).toEqual(['first']);
  });

  it('drops firing notifications first, and the resolve of an alert whose firing never went out', async () => {
    const queued = jobQueue({ onFirstDrop: () => undefined, onDrained: () => undefined }, 2);
    const ran: string[] = [];
    const push = (name: string, key: string, status: 'firing' | 'resolved') => {
      const g = gate(name, ran);
      return { g, result: queued.push(g.job, () => `${name} dropped`, { key, status }) };
    };
    // x fires and is being sent; y fires and resolves, x resolves, z fires, while the channel is slow
    const x = push('x fires', 'x', 'firing');
    const y = push('y fires', 'y', 'firing');
    const yResolved = push('y resolves', 'y', 'resolved');
    const xResolved = push('x resolves', 'x', 'resolved');
    const z = push('z fires', 'z', 'firing');
    // over the bound twice: y's firing went first (the oldest firing; x's resolve is kept), then y's
    // resolve, news of nothing now
    expect(await y.result).toBe('y fires dropped');
    expect(await yResolved.result).toBe('y resolves dropped');
    x.g.end();
    // x's resolve goes out (x's firing was sent), then z's firing
    await waitForRun(ran, 'x resolves');
    xResolved.g.end();
    expect(await xResolved.result).toBe('x resolves');
    await waitForRun(ran, 'z fires');
    z.g.end();
    expect(await z.result).toBe('z fires');
    expect(ran).toEqual(['x fires', 'x resolves', 'z fires']);
  });

  it('drops a repeat of a firing the receiver has before a newer alert, and still sends its resolve', async () => {
    const queue = jobQueue({ onFirstDrop: () => undefined, onDrained: () => undefined }, 2);
    const ran: string[] = [];
    const [first, newer, repeat, resolved] = ['x fires', 'y fires', 'x repeats', 'x resolves'].map((name) =>
      gate(name, ran),
    );
    const results = [
      queue.push(first!.job, () => 'dropped', { key: 'x', status: 'firing' }),
      queue.push(newer!.job, () => 'dropped', { key: 'y', status: 'firing' }),
      queue.push(repeat!.job, () => 'dropped', { key: 'x', status: 'firing' }),
      queue.push(resolved!.job, () => 'dropped', { key: 'x', status: 'resolved' }),
    ];
    expect(await results[2]).toBe('dropped');
    first!.end();
    await waitForRun(ran, 'y fires');
    newer!.end();
    await waitForRun(ran, 'x resolves');
    resolved!.end();
    expect(await Promise.all(results)).toEqual(['x fires', 'y fires', 'dropped', 'x resolves']);
  });
});

/** Waits (a few turns of the microtask queue) until the job `name` has started. */
async function waitForRun(ran: string[], name: string): Promise<void> {
  for (let turn = 0; turn < 20 && !ran.includes(name); turn += 1) await Promise.resolve();
  expect(ran).toContain(name);
}

describe('a rule delivery queue that groups (group_interval)', () => {
  interface Item {
    key: string;
    status: 'firing' | 'resolved';
    batch: string;
  }
  const item = (key: string, status: Item['status'] = 'firing', batch = 'hook'): Item => ({
    key,
    status,
    batch,
  });
  const label = (items: Item[]) =>
    items.map((i) => `${i.key}${i.status === 'resolved' ? '-' : ''}`).join(',');

  function groupingQueue(groupIntervalMs: number) {
    const sent: { items: string; at: number }[] = [];
    const queue = createDeliveryQueue<Item, string>({
      report: { onFirstDrop: () => undefined, onDrained: () => undefined },
      send: async (items) => {
        sent.push({ items: label(items), at: Date.now() });
        return label(items);
      },
      dropped: () => 'dropped',
      groupIntervalMs,
    });
    return { queue, sent };
  }

  it('sends the first at once, then what came within the interval as one, an interval after it', async () => {
    const { queue, sent } = groupingQueue(300);
    const started = Date.now();
    const first = queue.push(item('api'));
    expect(await first).toBe('api');
    const later = ['worker', 'mailer', 'cron'].map((key) => queue.push(item(key)));
    // every item of the group resolves with the group's outcome
    expect(await Promise.all(later)).toEqual([
      'worker,mailer,cron',
      'worker,mailer,cron',
      'worker,mailer,cron',
    ]);
    expect(sent.map((s) => s.items)).toEqual(['api', 'worker,mailer,cron']);
    expect(sent[0]!.at - started).toBeLessThan(250);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(290);
    // a quiet interval later, the next goes at once again
    await new Promise((resolve) => setTimeout(resolve, 320));
    const alone = Date.now();
    expect(await queue.push(item('api', 'resolved'))).toBe('api-');
    expect(Date.now() - alone).toBeLessThan(250);
  });

  it('keeps an alert that changed status in its order, firing batches before resolved ones otherwise', async () => {
    const { queue, sent } = groupingQueue(200);
    // a (firing) opens the interval; the others come within it
    const pushed = [queue.push(item('a'))];
    pushed.push(queue.push(item('a', 'resolved')), queue.push(item('x')), queue.push(item('y', 'resolved')));
    pushed.push(queue.push(item('x', 'resolved')), queue.push(item('z')), queue.push(item('x')));
    // an escalated alert goes to more channels: a batch of its own
    pushed.push(queue.push(item('w', 'firing', 'hook+pager')));
    await Promise.all(pushed);
    expect(sent.map((s) => s.items)).toEqual(['a', 'x,z', 'w', 'a-,y-', 'x-', 'x']);
  });

  it('drops what no receiver should see: the resolve of an alert whose firing was dropped', async () => {
    const sent: string[] = [];
    const queue = createDeliveryQueue<Item, string>({
      report: { onFirstDrop: () => undefined, onDrained: () => undefined },
      send: async (items) => {
        sent.push(label(items));
        return 'sent';
      },
      dropped: () => 'dropped',
      groupIntervalMs: 100,
      maxWaiting: 2,
    });
    const results = [
      queue.push(item('a')),
      queue.push(item('b')),
      queue.push(item('c')),
      queue.push(item('d')),
      queue.push(item('b', 'resolved')),
    ];
    // past the bound of 2: b's firing (the oldest waiting), then b's resolve, news of nothing now
    expect(await Promise.all(results)).toEqual(['sent', 'dropped', 'sent', 'sent', 'dropped']);
    expect(sent).toEqual(['a', 'c,d']);
  });
});
