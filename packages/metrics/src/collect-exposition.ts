import type { VelosControl } from '@velos/core';
import { createAppScraper } from './app-scraper.js';
import { renderPrometheus } from './render-prometheus.js';

/**
 * One scrape of a daemon: its snapshot, the apps' `metrics_url` fetched in parallel, rendered.
 * Keep one collector per endpoint so `velos_app_scrape_errors_total` counts across scrapes.
 */
export function createExpositionCollector(control: Pick<VelosControl, 'metrics'>) {
  const scraper = createAppScraper();
  return async (): Promise<string> => {
    const snapshot = await control.metrics();
    return renderPrometheus(snapshot, await scraper.scrape(snapshot.processes));
  };
}
