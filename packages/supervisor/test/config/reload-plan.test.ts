import { APP_DEFAULTS, type AppSpec, ErrorCodes } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { checkChangedApp, planReload, type ReloadStep } from '../../src/config/reload-plan.js';
import { diffSpecs } from '../../src/config/spec-diff.js';

const FILE = '/srv/velos.toml';

function spec(name: string, dependsOn: string[] = [], extra: Partial<AppSpec> = {}): AppSpec {
  return {
    ...APP_DEFAULTS,
    name,
    script: `${name}.js`,
    cwd: '/srv',
    env: {},
    dependsOn: dependsOn.map((dependency) => ({ name: dependency, condition: 'started' as const })),
    source: { file: FILE },
    ...extra,
  };
}

/** The plan of reloading `next` over the apps linked to the file, `current`, beside `others`. */
function plan(current: AppSpec[], next: AppSpec[], others: AppSpec[] = []): string[] {
  return planReload(FILE, diffSpecs(current, next), next, others).map(stepText);
}

function stepText(step: ReloadStep): string {
  if (step.kind === 'add') return `add ${step.specs.map((s) => s.name).join('+')}`;
  return step.kind === 'remove' ? `remove ${step.spec.name}` : `change ${step.after.name}`;
}

function refusal(
  current: AppSpec[],
  next: AppSpec[],
  others: AppSpec[] = [],
): { code: string; message: string } {
  try {
    plan(current, next, others);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('the plan was not refused');
}

describe('planReload (CFG-2)', () => {
  it('adds a new dependency before the changed app that now depends on it', () => {
    expect(plan([spec('x1')], [spec('x1', ['x2']), spec('x2')])).toEqual(['add x2', 'change x1']);
  });

  it('orders additions and changes by dependencies, grouping additions next to each other', () => {
    const current = [spec('db'), spec('api')];
    const next = [
      spec('web', ['api']),
      spec('api', ['cache']),
      spec('cache'),
      spec('db', [], { maxRestarts: 2 }),
    ];
    expect(plan(current, next)).toEqual(['add cache', 'change api', 'add web', 'change db']);
    expect(plan([], [spec('b', ['a']), spec('a')].reverse())).toEqual(['add a+b']);
  });

  it('removes dependents before what they depend on, before anything else', () => {
    const current = [spec('db'), spec('api', ['db']), spec('keep')];
    expect(plan(current, [spec('keep', [], { maxRestarts: 1 })])).toEqual([
      'remove api',
      'remove db',
      'change keep',
    ]);
  });

  it('refuses a cycle of the resulting apps up front, naming the file', () => {
    const { code, message } = refusal([spec('x1')], [spec('x1', ['x2']), spec('x2', ['x1'])]);
    expect(code).toBe(ErrorCodes.INVALID_CONFIG);
    expect(message).toBe('velos.toml: depends_on cycle: x1 -> x2 -> x1');
  });

  it('refuses a dependency that is neither in the file nor in the daemon', () => {
    expect(refusal([spec('x1')], [spec('x1', ['nope'])]).message).toBe(
      "velos.toml: app 'x1': depends_on 'nope', which is neither in this file nor in the daemon",
    );
    // an app of another origin is a valid dependency
    expect(plan([spec('x1')], [spec('x1', ['other'])], [spec('other', [], { source: undefined })])).toEqual([
      'change x1',
    ]);
  });

  it('refuses to remove an app that a kept app, of the file or not, still depends on', () => {
    const current = [spec('db'), spec('api', ['db'])];
    expect(refusal(current, [spec('api', ['db'])]).message).toMatch(
      /^velos\.toml: app 'api': depends_on 'db', which this file no longer has \(the reload would delete it\)/,
    );
    const outsider = spec('report', ['db'], { source: { file: '/srv/other.toml' } });
    expect(refusal([spec('db'), spec('api')], [spec('api')], [outsider]).message).toMatch(
      /^velos\.toml: app 'report': depends_on 'db', which this file no longer has .*'report' is not from this file/,
    );
  });

  it('checks the dependencies of one app given a new spec (config set) against the other apps', () => {
    const others = [spec('db'), spec('api', ['db'])];
    expect(() => checkChangedApp(spec('api', ['nope']), others)).toThrow(
      "app 'api': depends_on 'nope', which is not in the daemon",
    );
    expect(() => checkChangedApp(spec('db', ['api']), others)).toThrow('depends_on cycle: db -> api -> db');
    expect(() => checkChangedApp(spec('api', ['db']), others)).not.toThrow();
  });
});
