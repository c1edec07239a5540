import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import type { MetricsSnapshot } from '@velos/core';
import { VELOS_METRICS } from './velos-metrics.js';

/**
 * Creates an observable instrument for each of `VELOS_METRICS` on `meter` and one batch callback
 * that reads a single snapshot per collection (each export interval) and observes them all.
 * `onSnapshot` sees each snapshot read (the lifecycle spans take the last CPU and memory from it).
 */
export function observeVelosMetrics(
  meter: Meter,
  readSnapshot: () => Promise<MetricsSnapshot>,
  onSnapshot: (snapshot: MetricsSnapshot) => void = () => undefined,
): () => void {
  const instruments = VELOS_METRICS.map((metric) => {
    const options = { description: metric.description, unit: metric.unit };
    const instrument: Observable =
      metric.kind === 'counter'
        ? meter.createObservableCounter(metric.name, options)
        : meter.createObservableGauge(metric.name, options);
    return { metric, instrument };
  });
  const callback = async (result: BatchObservableResult): Promise<void> => {
    const snapshot = await readSnapshot();
    onSnapshot(snapshot);
    for (const { metric, instrument } of instruments) {
      for (const [value, attributes] of metric.points(snapshot)) {
        if (Number.isFinite(value)) result.observe(instrument, value, attributes);
      }
    }
  };
  const observables = instruments.map((i) => i.instrument);
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
