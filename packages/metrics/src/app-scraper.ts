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
 * counts failures per target across calls. A failure never throws: the app is reported down.
 *
 * A URL several processes of one app share (a cluster app's, or one without `{instance}`/`{port}`) is
 * fetched once for the app and marked `shared`: whichever worker the port's balancer picked answered,
 * so its numbers are labelled with the app (name, namespace), never with one instance.
 */
export function createAppScraper(options: AppScraperOptions = {}) {
  const timeoutMs = options.timeoutMs ?? APP_SCRAPE_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? APP_SCRAPE_MAX_BYTES;
  const errorsByTarget = new Map<string, number>();
  return {
    /** Scrapes every process (or app, for a shared URL) that has a `metricsUrl` and is running. */
    async scrape(processes: readonly ProcessMetrics[]): Promise<ScrapedApp[]> {
      const targets = scrapeTargets(processes);
      for (const key of errorsByTarget.keys()) if (!targets.live.has(key)) errorsByTarget.delete(key);
      return Promise.all(
        targets.online.map(async ({ key, process, url, shared }): Promise<ScrapedApp> => {
          const started = performance.now();
          const base = { process, url, ...(shared ? { shared } : {}) };
          try {
            const families = parseExposition(await fetchText(url, timeoutMs, maxBytes));
            const durationSeconds = (performance.now() - started) / 1000;
            return {
              ...base,
              isUp: true,
              durationSeconds,
              errorsTotal: errorsByTarget.get(key) ?? 0,
              families,
            };
          } catch (error) {
            const errorsTotal = (errorsByTarget.get(key) ?? 0) + 1;
            errorsByTarget.set(key, errorsTotal);
            const why = error instanceof Error ? error.message : String(error);
            const durationSeconds = (performance.now() - started) / 1000;
            return { ...base, isUp: false, error: why, durationSeconds, errorsTotal, families: [] };
          }
        }),
      );
    },
  };
}

interface ScrapeTarget {
  key: string;
  process: ProcessMetrics;
  url: string;
  shared: boolean;
}

/**
 * One target per process with its own URL, one per app for a URL its processes share (fetched
 * through its first online process); `live` holds the keys of every target, online or not.
 */
function scrapeTargets(processes: readonly ProcessMetrics[]): { online: ScrapeTarget[]; live: Set<string> } {
  const groups = new Map<string, ProcessMetrics[]>();
  for (const process of processes) {
    if (process.metricsUrl === undefined) continue;
    const key = JSON.stringify([process.namespace, process.name, process.metricsUrl]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [process]);
    else group.push(process);
  }
  const online: ScrapeTarget[] = [];
  const live = new Set<string>();
  for (const [appKey, group] of groups) {
    const shared = group.length > 1;
    const key = shared ? appKey : `id:${group[0]!.id}`;
    live.add(key);
    const process = group.find((p) => p.status === 'online');
    if (process !== undefined) online.push({ key, process, url: process.metricsUrl!, shared });
  }
  return { online, live };
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
