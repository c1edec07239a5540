import { type ExportResult, ExportResultCode } from '@opentelemetry/core';

/** At most one line per signal in this window while exports keep failing. */
export const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Reports export outcomes of one signal to daemon.log: the first failure, then a count per window, then the recovery. */
export interface ExportFailureLog {
  failed(error: unknown): void;
  succeeded(): void;
}

/** Creates the rate-limited failure reporting of one signal (`metrics`, `traces`) sent to `url`. */
export function createExportFailureLog(
  log: (line: string) => void,
  signal: string,
  url: string,
  now: () => number = Date.now,
): ExportFailureLog {
  let isFailing = false;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return {
    failed(error) {
      const message = error instanceof Error ? error.message : String(error ?? 'unknown error');
      if (!isFailing || now() - lastLineAt >= FAILURE_LOG_INTERVAL_MS) {
        const more = unreported > 0 ? ` (${unreported} more failed since the last line)` : '';
        log(`otlp: ${signal} export to ${url} failed: ${message}${more}; retrying each interval`);
        lastLineAt = now();
        unreported = 0;
      } else {
        unreported += 1;
      }
      isFailing = true;
    },
    succeeded() {
      if (!isFailing) return;
      log(`otlp: ${signal} export to ${url} works again`);
      isFailing = false;
      unreported = 0;
      lastLineAt = Number.NEGATIVE_INFINITY;
    },
  };
}

interface ResultExporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
}

/** Wraps `exporter.export` so that each outcome reaches `failures` before the SDK sees it. */
export function reportOutcomes<T, E extends ResultExporter<T>>(exporter: E, failures: ExportFailureLog): E {
  const send = exporter.export.bind(exporter);
  exporter.export = (items, resultCallback) =>
    send(items, (result) => {
      if (result.code === ExportResultCode.SUCCESS) failures.succeeded();
      else failures.failed(result.error);
      resultCallback(result);
    });
  return exporter;
}
