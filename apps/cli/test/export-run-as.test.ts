import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec } from '@velos/core';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { afterEach, describe, expect, it } from 'vitest';
import { composeDocument } from '../src/export/compose.js';
import { kubernetesManifests } from '../src/export/kubernetes.js';
import { LossyReport } from '../src/export/lossy-report.js';
import { composeConfig, loadSpecs } from './export-helpers.js';
import { Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

const OPTIONS = { source: 'velos.yaml', image: 'reg/app:1' };

/** The specs of one app `web` with the given `uid`/`gid` lines, read as `velos export` reads them. */
async function webWith(...lines: string[]): Promise<AppSpec[]> {
  const config = join(scratch.dir(), 'velos.yaml');
  writeFileSync(
    config,
    ['apps:', '  - name: web', '    script: node', ...lines.map((l) => `    ${l}`), ''].join('\n'),
  );
  return loadSpecs(config);
}

function composeService(specs: AppSpec[], report: LossyReport): Record<string, unknown> {
  const { services } = composeDocument(specs, report, OPTIONS) as {
    services: Record<string, Record<string, unknown>>;
  };
  return services.web ?? {};
}

function podContainer(specs: AppSpec[], report: LossyReport): Record<string, unknown> {
  const [deployment] = kubernetesManifests(specs, report, OPTIONS);
  new Deployment(deployment as never).validate();
  const spec = deployment?.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
  return spec.template.spec.containers[0] ?? {};
}

describe('velos export compose: uid and gid', () => {
  it('writes user: "<uid>[:<gid>]", names as they are', async () => {
    expect(
      composeService(await webWith('uid: www-data', 'gid: 33'), new LossyReport('compose', false)).user,
    ).toBe('www-data:33');
    expect(composeService(await webWith('uid: 1000'), new LossyReport('compose', false)).user).toBe('1000');
    expect(composeService(await webWith(), new LossyReport('compose', false)).user).toBeUndefined();
  });

  it('notes that a name must exist in the image', async () => {
    const report = new LossyReport('compose', false);
    composeService(await webWith('uid: node', 'gid: 1000'), report);
    expect(report.stderrLines()).toContain(
      'velos export: note: web: uid: "node" must exist in the image (its /etc/passwd, /etc/group), not on this machine; instead: create the account in the Dockerfile, or give numeric ids',
    );
    const numeric = new LossyReport('compose', false);
    composeService(await webWith('uid: 1000', 'gid: 1000'), numeric);
    expect(numeric.losses.filter((loss) => loss.option === 'uid' || loss.option === 'gid')).toEqual([]);
  });

  it('cannot set a gid without a uid: lossy', async () => {
    const specs = await webWith('gid: 33');
    expect(() => composeService(specs, new LossyReport('compose', false))).toThrow(
      /^web: gid: compose cannot express it \(Compose sets a group only together with a user/,
    );
    const report = new LossyReport('compose', true);
    expect(composeService(specs, report).user).toBeUndefined();
    expect(report.losses.map((loss) => [loss.option, loss.severity])).toContainEqual(['gid', 'lossy']);
  });

  it('gives a file docker-compose config accepts', async () => {
    const dir = scratch.dir();
    const document = composeDocument(
      await webWith('uid: www-data', 'gid: 33'),
      new LossyReport('compose', true),
      OPTIONS,
    );
    writeFileSync(join(dir, 'compose.yaml'), JSON.stringify(document));
    const checked = await composeConfig(scratch, dir);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/user: www-data:33/);
  });
});

describe('velos export kubernetes: uid and gid', () => {
  it('writes numeric ids as runAsUser and runAsGroup (numbers, digit strings too)', async () => {
    const report = new LossyReport('kubernetes', false);
    expect(podContainer(await webWith('uid: 1000', 'gid: "33"'), report).securityContext).toEqual({
      runAsUser: 1000,
      runAsGroup: 33,
    });
    expect(podContainer(await webWith('uid: 0'), report).securityContext).toEqual({ runAsUser: 0 });
    expect(podContainer(await webWith('gid: 5'), report).securityContext).toEqual({ runAsGroup: 5 });
    expect(podContainer(await webWith(), report).securityContext).toBeUndefined();
    expect(report.losses.filter((loss) => loss.option === 'uid' || loss.option === 'gid')).toEqual([]);
  });

  it('does not resolve a name on this machine: lossy, saying how to find the number', async () => {
    // root exists on every machine: a lookup here would find 0, which need not be the image's root
    const specs = await webWith('uid: root', 'gid: 44');
    expect(() => podContainer(specs, new LossyReport('kubernetes', false))).toThrow(
      'web: uid: kubernetes cannot express it (runAsUser takes a number, and "root" names an account of the image, which velos export cannot read); set uid to its number in the image (docker run --rm --entrypoint id <image> -u root), or pass --lossy to export without it',
    );
    const report = new LossyReport('kubernetes', true);
    expect(podContainer(specs, report).securityContext).toEqual({ runAsGroup: 44 });
    const group = await webWith('uid: 1000', 'gid: staff');
    const lossy = new LossyReport('kubernetes', true);
    expect(podContainer(group, lossy).securityContext).toEqual({ runAsUser: 1000 });
    expect(lossy.stderrLines()).toContain(
      'velos export: warning: web: gid: runAsGroup takes a number, and "staff" names an account of the image, which velos export cannot read; instead: set gid to its number in the image (docker run --rm --entrypoint getent <image> group staff)',
    );
  });
});
