import type { DaemonHealth } from '@velos/core';
import type { ApiScope } from '../options.js';
import type { RequestParts, RouteAnswer, RouteContext } from './route-types.js';

/** How long `/health` waits for the daemon's self-health before it answers 503. */
export const HEALTH_TIMEOUT_MS = 5000;

/**
 * `GET /health` (OBS-4): the daemon's overall self-health `{status}` (`healthy`, `degraded`, or
 * `unhealthy` with 503, as load balancers read it) for everyone; its `components` and `at` too for a
 * caller with a valid token (or any caller with auth off); 503 `{status:"unreachable"}` when the
 * daemon does not answer in time.
 */
export async function answerHealth(
  _parts: RequestParts,
  ctx: RouteContext,
  scope: ApiScope | null,
): Promise<RouteAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), HEALTH_TIMEOUT_MS);
  });
  let health: DaemonHealth | null;
  try {
    health = await Promise.race([ctx.control.health(), late]);
  } catch {
    health = null;
  } finally {
    clearTimeout(timer);
  }
  if (health === null) return { status: 503, body: { status: 'unreachable' } };
  const status = health.status === 'unhealthy' ? 503 : 200;
  return { status, body: scope === null ? { status: health.status } : health };
}

/** `GET /status`: the daemon's ping and its self-health, asked together. */
export async function answerStatus(_parts: RequestParts, ctx: RouteContext): Promise<RouteAnswer> {
  const [daemon, health] = await Promise.all([ctx.call('ping', {}), ctx.call('health', {})]);
  return { body: { daemon, health } };
}

/** `GET /metrics/prometheus`: the text exposition, rendered by `@velos/metrics`. */
export async function answerPrometheus(_parts: RequestParts, ctx: RouteContext): Promise<RouteAnswer> {
  const { PROMETHEUS_CONTENT_TYPE } = await import('@velos/metrics');
  return { contentType: PROMETHEUS_CONTENT_TYPE, body: await ctx.prometheus() };
}
