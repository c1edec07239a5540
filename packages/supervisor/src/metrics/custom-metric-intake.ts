import type { AppEventReport } from '../events/app-event-intake.js';
import { parseCustomMetric } from './custom-metric-parse.js';
import { createCustomMetricStore, type SeriesBudget } from './custom-metric-store.js';
import type { ProcessFigures } from './process-figures.js';

/** Custom metric reports one process may make per second; the excess is refused (and counted). */
export const CUSTOM_METRIC_REPORTS_PER_SECOND = 1000;

/**
 * Takes one custom metric report of process `id` (`value`: a JSON line, an IPC message, the report of
 * `metrics.report`); returns why it was refused, or null. `isOwn`: the process made it itself.
 */
export type CustomMetricIntake = (report: AppEventReport, isOwn?: boolean) => string | null;

/**
 * OBS-6: takes custom metric reports (JSON lines with `velos_metric`, IPC messages, `metrics.report`)
 * into the figures of their process; a refused one is counted there, never fatal. The first refusal of
 * a process's own reports is told in daemon.log, since nothing else would tell it; a report sent over
 * the API gets its refusal as the answer.
 */
export function createCustomMetricIntake(options: {
  /** The figures of a process still in the table, or undefined. */
  figuresOf: (id: number) => ProcessFigures | undefined;
  budget: SeriesBudget;
  log: (line: string) => void;
}): CustomMetricIntake {
  return ({ id, name, value }, isOwn = true) => {
    const figures = options.figuresOf(id);
    if (figures === undefined) return `${name} (id ${id}) is gone`;
    const now = Date.now();
    if (now - figures.windowStartedAt >= 1000) {
      figures.windowStartedAt = now;
      figures.windowReports = 0;
    }
    figures.windowReports += 1;
    let reason: string | null;
    if (figures.windowReports > CUSTOM_METRIC_REPORTS_PER_SECOND) {
      reason = `over ${CUSTOM_METRIC_REPORTS_PER_SECOND} reports per second`;
    } else {
      const parsed = parseCustomMetric(value);
      if (parsed.ok) {
        figures.custom ??= createCustomMetricStore(options.budget);
        reason = figures.custom.apply(parsed.report, now);
      } else {
        reason = parsed.reason;
      }
    }
    if (reason === null) return null;
    figures.rejected += 1;
    if (isOwn && !figures.isRefusalLogged) {
      figures.isRefusalLogged = true;
      options.log(
        `${name} (id ${id}): a velos_metric report was refused (${reason}); it stays a log line, later refusals are only counted (customMetricsRejected in velos metrics)`,
      );
    }
    return reason;
  };
}
