/** The metric types whose names the Prometheus text exposition reserves suffixes for. */
export type ExposedMetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** OBS-6: the exposed name of a custom metric (valid already): a counter always ends in `_total`. */
export function exposedCustomName(name: string, type: ExposedMetricType): string {
  return type === 'counter' && !name.endsWith('_total') ? `${name}_total` : name;
}

/**
 * Every name the exposition of a family takes: its own (on HELP and TYPE) and its samples'
 * (`x_bucket`, `x_sum`, `x_count` of a histogram `x`). Two families whose names meet make an invalid
 * exposition (a second HELP line, duplicate series), so only the first of them is kept.
 */
export function namesTakenBy(exposedName: string, type: ExposedMetricType): string[] {
  if (type === 'histogram')
    return [exposedName, `${exposedName}_bucket`, `${exposedName}_sum`, `${exposedName}_count`];
  if (type === 'summary') return [exposedName, `${exposedName}_sum`, `${exposedName}_count`];
  return [exposedName];
}
