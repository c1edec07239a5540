import { hostname } from 'node:os';
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { DEFAULT_SERVICE_NAME } from './otlp-settings.js';

/** `host.name` (semantic conventions, still in their incubating set). */
const ATTR_HOST_NAME = 'host.name';

/**
 * The resource every metric and span carries: `service.name` (`velos`), `service.version` (the
 * Velos version), `host.name`, `process.pid` (the daemon's) and the SDK's `telemetry.sdk.*`; `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (read by the
 * SDK's env detector from the daemon's environment) override or add attributes.
 */
export function createVelosResource(version: string): Resource {
  const defaults = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: version,
    [ATTR_HOST_NAME]: hostname(),
    'process.pid': process.pid,
  });
  return defaultResource()
    .merge(defaults)
    .merge(detectResources({ detectors: [envDetector] }));
}
