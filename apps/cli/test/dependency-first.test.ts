import type { Dependency, ProcessDetail } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { dependenciesFirst, dependsOutside } from '../src/commands/dependency-first.js';
import { processDetail } from './sample-processes.js';

function app(id: number, name: string, dependsOn: string[] = []): ProcessDetail {
  const base = processDetail({ id, name });
  const dependencies: Dependency[] = dependsOn.map((dependency) => ({
    name: dependency,
    condition: 'started',
  }));
  return { ...base, spec: { ...base.spec, name, dependsOn: dependencies } };
}

const order = (processes: ProcessDetail[]) => dependenciesFirst(processes).map((p) => `${p.name}:${p.id}`);

describe('velos start all: the order of the stopped apps (SUP-12)', () => {
  it('puts each app after the apps it depends on, the instances of an app together, in id order otherwise', () => {
    expect(
      order([
        app(0, 'api', ['db', 'cache']),
        app(1, 'api', ['db', 'cache']),
        app(2, 'worker'),
        app(3, 'db'),
        app(4, 'cache', ['db']),
      ]),
    ).toEqual(['db:3', 'cache:4', 'api:0', 'api:1', 'worker:2']);
  });

  it('ignores a dependency that is not among them, and cuts a cycle instead of looping', () => {
    expect(order([app(0, 'api', ['db']), app(1, 'web')])).toEqual(['api:0', 'web:1']);
    expect(order([app(0, 'a', ['b']), app(1, 'b', ['a'])])).toEqual(['b:1', 'a:0']);
  });

  it('goes through the apps outside the selection: c → b → a with b left out starts a before c', () => {
    const selection = [app(0, 'c', ['b']), app(2, 'a')];
    expect(dependsOutside(selection)).toBe(true);
    expect(dependsOutside([app(0, 'c', ['a']), app(2, 'a')])).toBe(false);
    const ordered = dependenciesFirst(selection, [app(0, 'c', ['b']), app(1, 'b', ['a']), app(2, 'a')]);
    expect(ordered.map((p) => `${p.name}:${p.id}`)).toEqual(['a:2', 'c:0']);
    // without the others, nothing links them
    expect(order(selection)).toEqual(['c:0', 'a:2']);
  });
});
