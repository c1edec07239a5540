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
      const message = describeExportError(error);
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

/**
 * The SDK's whole error when the collector kept answering a status it retries (it keeps neither the
 * status nor the answer): said as what it means.
 */
const SDK_RETRYABLE_STATUS = 'Export failed with retryable status';
const RETRYABLE_STATUS =
  'the collector answered HTTP 429, 502, 503 or 504 (busy or unavailable) to the request and its retries';

/** Longest part of a collector's answer quoted in daemon.log. */
const MAX_ANSWER_CHARS = 200;

/**
 * One line for a failed export: the SDK's error of an HTTP answer holds only its status text
 * (`Bad Request`), so its status code and the start of the collector's answer (which says what is
 * wrong: a bad API key, a payload refused) are added.
 */
export function describeExportError(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error ?? 'unknown error'));
  if (error.message === SDK_RETRYABLE_STATUS) return RETRYABLE_STATUS;
  const { code, data } = error as Error & { code?: unknown; data?: unknown };
  const status = typeof code === 'number' && code >= 100 && code <= 599 ? `HTTP ${code} ` : '';
  const answer = typeof data === 'string' ? oneLine(data) : '';
  const quoted = answer.length > MAX_ANSWER_CHARS ? `${answer.slice(0, MAX_ANSWER_CHARS)}…` : answer;
  return `${status}${oneLine(error.message) || 'error'}${quoted ? `: ${quoted}` : ''}`;
}

/** Control characters and runs of blanks as one space: a collector's answer stays on its log line. */
function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
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
