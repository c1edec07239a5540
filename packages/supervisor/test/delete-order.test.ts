import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec, Dependency } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** An app that writes "start <name>" / "stop <name>" lines to the home's order file. */
function recorder(home: string, name: string, dependsOn: Dependency[] = []): AppSpec {
  return appSpec(home, {
    name,
    script: 'order-recorder.js',
    dependsOn,
    env: { ORDER_FILE: join(home, 'order.txt') },
  });
}

/** The order file's events, e.g. ["start a", "stop a"]. */
function events(home: string): string[] {
  const file = join(home, 'order.txt');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ').slice(0, 2).join(' '));
}

describe('velos delete and depends_on (SUP-12)', () => {
  it('deletes dependents before their dependencies, as stop all stops them', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      recorder(home, 'a'),
      recorder(home, 'b', [{ name: 'a', condition: 'started' }]),
      recorder(home, 'c', [{ name: 'b', condition: 'started' }]),
    ]);
    await waitFor(() => ['a', 'b', 'c'].every((name) => events(home).includes(`start ${name}`)), {
      what: 'a, b and c to start',
    });
    const deleted = await supervisor.delete('all');
    // the answer keeps the order of the selection
    expect(deleted.map((info) => info.name)).toEqual(['a', 'b', 'c']);
    expect(events(home).filter((event) => event.startsWith('stop'))).toEqual(['stop c', 'stop b', 'stop a']);
    expect(await supervisor.list()).toEqual([]);
  });
});
