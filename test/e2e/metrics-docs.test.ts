import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, REPO_ROOT, velosOk } from './helpers.js';
import { requireBinary } from './metrics-tools.js';

const DOCS = join(REPO_ROOT, 'docs');
const hasPromtool = requireBinary('promtool');
let exposed = new Set<string>();
let families: { name: string; type: string }[] = [];

// The names a real daemon exposes: every Velos family is written with HELP and TYPE, even without series.
beforeAll(async () => {
  const home = createHome();
  const text = (await velosOk(['metrics'], { home })).stdout;
  families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({
    name: name!,
    type: type!,
  }));
  exposed = new Set(
    families.flatMap(({ name, type }) =>
      type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
    ),
  );
});
afterAll(cleanupHomes);

const velosNames = (text: string) => [...text.matchAll(/\bvelos_[a-z0-9_]+/g)].map(([name]) => name);

describe('metrics docs (OBS-1)', () => {
  it('docs/metrics.md names every family the daemon exposes', () => {
    expect(families.length).toBeGreaterThan(30);
    const doc = readFileSync(join(DOCS, 'metrics.md'), 'utf8');
    const missing = families
      .map((f) => f.name)
      .filter((name) => !doc.includes(`\`${name}\``) && !doc.includes(`${name}\``));
    expect(missing).toEqual([]);
  });

  it('the OTLP export uses the names the Prometheus endpoint exposes', () => {
    const otel = ['velos-metrics.ts', 'snapshot-producer.ts']
      .map((file) => readFileSync(join(REPO_ROOT, 'packages/otel/src', file), 'utf8'))
      .join('\n');
    const names = [...new Set([...otel.matchAll(/'(velos_[a-z0-9_]+)'/g)].map(([, name]) => name!))];
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('the Grafana dashboard parses and queries only exposed names', () => {
    const dashboard = JSON.parse(readFileSync(join(DOCS, 'grafana/velos-dashboard.json'), 'utf8'));
    const exprs: string[] = [
      ...dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) =>
        panel.targets.map((t) => t.expr),
      ),
      ...dashboard.templating.list.map((variable: { definition: string }) => variable.definition),
    ];
    expect(exprs.length).toBeGreaterThan(15);
    for (const expr of exprs) {
      const names = velosNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) expect(exposed.has(name), `${name} in ${expr}`).toBe(true);
    }
  });

  it.skipIf(!hasPromtool)('the recording rules pass promtool check rules and use exposed names', () => {
    const path = join(DOCS, 'prometheus/velos-rules.yml');
    const result = spawnSync('promtool', ['check', 'rules', path], { encoding: 'utf8' });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    for (const name of velosNames(readFileSync(path, 'utf8'))) expect(exposed.has(name), name).toBe(true);
  });
});
