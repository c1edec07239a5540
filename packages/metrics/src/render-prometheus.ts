import type { MetricsSnapshot } from '@velos/core';
// The registry alone: prom-client's index also loads its Pushgateway (http, https, zlib), cluster
// aggregation and default metrics, which cost a daemon serving /metrics about 1.5 MB more RSS.
import Registry from 'prom-client/lib/registry.js';
import { customFamilies, type ScrapedApp, scrapedFamilies } from './app-families.js';
import { daemonFamilies, hostFamilies } from './daemon-families.js';
import { FamilySet, type MetricFamily, NO_LABELS } from './metric-family.js';
import { processFamilies } from './process-families.js';

/** The Content-Type of the exposition: Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * OBS-1: the Prometheus text exposition of a snapshot, plus the re-exposed scrapes of the apps'
 * `metrics_url`. A custom or scraped family whose name is one of Velos' own, whose type clashes
 * with a family of the same name, or whose names meet another family's (a gauge `lat_count` beside a
 * histogram `lat`, from another process) is left out (its other series still appear).
 * @example
 * const text = await renderPrometheus(await control.metrics());
 */
export async function renderPrometheus(
  snapshot: MetricsSnapshot,
  scraped: readonly ScrapedApp[] = [],
): Promise<string> {
  const ours = new FamilySet();
  const scrapes = scrapedFamilies(scraped);
  for (const found of [
    ...processFamilies(snapshot.processes),
    ...daemonFamilies(snapshot.daemon),
    ...hostFamilies(snapshot.host),
    ...scrapes.health,
  ]) {
    ours.add(found);
  }
  const theirs = new FamilySet();
  for (const found of [...customFamilies(snapshot.processes), ...scrapes.families]) {
    if (!ours.has(found.name) && !ours.meets(found)) theirs.add(found);
  }
  const registry = new Registry();
  for (const found of [...ours.values(), ...theirs.values()]) registry.registerMetric(toPromMetric(found));
  return registry.metrics();
}

/** A family as a prom-client metric object: the registry calls `get()` at each `metrics()`. */
function toPromMetric(found: MetricFamily) {
  const metric = {
    name: found.name,
    help: found.help,
    type: found.type,
    aggregator: 'sum',
    get: async () => ({
      name: found.name,
      help: found.help,
      type: found.type,
      aggregator: 'sum',
      values: found.samples.map((sample) => ({
        metricName: sample.name,
        labels: sample.labels,
        sharedLabels: sample.shared ?? NO_LABELS,
        value: sample.value,
      })),
    }),
    reset: () => {},
  };
  // prom-client's registry takes any object with name, help, type and get(); its typings want a class.
  return metric as unknown as Parameters<InstanceType<typeof Registry>['registerMetric']>[0];
}
