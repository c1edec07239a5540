import type { RequestParts, RouteAnswer, RouteContext } from './route-types.js';

/** How long `/health` waits for the daemon's ping before it answers 503. */
export const HEALTH_TIMEOUT_MS = 5000;

/** `GET /health`: `{status:"ok"}` when the daemon answers a ping in time, else 503 `{status:"unreachable"}`. */
export async function answerHealth(_parts: RequestParts, ctx: RouteContext): Promise<RouteAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  try {
    const isAnswered = await Promise.race([ctx.control.ping().then(() => true), late]);
    return isAnswered ? { body: { status: 'ok' } } : unreachable();
  } catch {
    return unreachable();
  } finally {
    clearTimeout(timer);
  }
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

function unreachable(): RouteAnswer {
  return { status: 503, body: { status: 'unreachable' } };
}
