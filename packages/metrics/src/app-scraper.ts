import { ownHttpRequest, type ProcessMetrics } from '@velos/core';
import type { ScrapedApp } from './app-families.js';
import { parseExposition } from './exposition-parser.js';

/** How long one app's `/metrics` may take before its scrape counts as failed. */
export const APP_SCRAPE_TIMEOUT_MS = 2_000;
/** The largest `/metrics` body read from one app (beyond it the scrape fails). */
export const APP_SCRAPE_MAX_BYTES = 4 * 1024 * 1024;

/** Options of `createAppScraper`. */
export interface AppScraperOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * OBS-1 `metrics_url`: fetches the apps' own `/metrics` in parallel at each call and parses them;
 * counts failures per process across calls. A failure never throws: the app is reported down.
 */
export function createAppScraper(options: AppScraperOptions = {}) {
  const timeoutMs = options.timeoutMs ?? APP_SCRAPE_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? APP_SCRAPE_MAX_BYTES;
  const errorsById = new Map<number, number>();
  return {
    /** Scrapes every process that has a `metricsUrl` and is running. */
    async scrape(processes: readonly ProcessMetrics[]): Promise<ScrapedApp[]> {
      const targets = processes.filter((p) => p.metricsUrl !== undefined && p.status === 'online');
      const live = new Set(processes.map((p) => p.id));
      for (const id of errorsById.keys()) if (!live.has(id)) errorsById.delete(id);
      return Promise.all(
        targets.map(async (process): Promise<ScrapedApp> => {
          const url = process.metricsUrl!;
          const started = performance.now();
          const base = { process, url };
          try {
            const families = parseExposition(await fetchText(url, timeoutMs, maxBytes));
            const durationSeconds = (performance.now() - started) / 1000;
            return {
              ...base,
              isUp: true,
              durationSeconds,
              errorsTotal: errorsById.get(process.id) ?? 0,
              families,
            };
          } catch (error) {
            const errorsTotal = (errorsById.get(process.id) ?? 0) + 1;
            errorsById.set(process.id, errorsTotal);
            const why = error instanceof Error ? error.message : String(error);
            const durationSeconds = (performance.now() - started) / 1000;
            return { ...base, isUp: false, error: why, durationSeconds, errorsTotal, families: [] };
          }
        }),
      );
    },
  };
}

async function fetchText(url: string, timeoutMs: number, maxBytes: number): Promise<string> {
  const { status, body } = await ownHttpRequest(url, {
    method: 'GET',
    headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1', 'user-agent': 'velos-metrics' },
    timeoutMs,
    maxBytes,
  });
  if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
  return body.toString('utf8');
}
