export { customMetricName, renameClashingLabels, type ScrapedApp, sanitizeName } from './app-families.js';
export {
  APP_SCRAPE_MAX_BYTES,
  APP_SCRAPE_TIMEOUT_MS,
  type AppScraperOptions,
  createAppScraper,
} from './app-scraper.js';
export { createExpositionCollector } from './collect-exposition.js';
export { ExpositionSyntaxError, parseExposition } from './exposition-parser.js';
export type { FamilyType, MetricFamily, Sample } from './metric-family.js';
export { HEALTH_STATES } from './process-families.js';
export { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './render-prometheus.js';
