import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** An OTLP/JSON `AnyValue` (the forms Velos sends). */
export interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}

/** An OTLP/JSON attribute list entry. */
export interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

/** One export request the receiver got, decoded from JSON. */
export interface OtlpRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A metric point, flattened: metric name, attributes as a plain object, value, and the resource's attributes. */
export interface MetricPoint {
  name: string;
  kind: 'gauge' | 'sum';
  isMonotonic: boolean;
  attributes: Record<string, unknown>;
  value: number;
  resource: Record<string, unknown>;
}

/** A span, flattened the same way. */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code?: number; message?: string };
  links: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}

/** A real OTLP/HTTP receiver (JSON protocol) on 127.0.0.1: records `/v1/metrics` and `/v1/traces` posts. */
export interface OtlpReceiver {
  endpoint: string;
  requests: OtlpRequest[];
  /** Every metric point received so far. */
  points(): MetricPoint[];
  /** Every span received so far. */
  spans(): SpanRecord[];
  close(): Promise<void>;
}

/**
 * Starts the receiver on a free port; `status` decides each answer (default 200). With `tls` (PEM
 * certificate and key) it speaks HTTPS.
 */
export async function startOtlpReceiver(
  status: (path: string) => number = () => 200,
  tls?: { cert: Buffer; key: Buffer },
): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const handler: RequestListener = (request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      try {
        requests.push({ path, headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
      } catch {
        requests.push({ path, headers: request.headers, body: { unparsed: text } });
      }
      response.writeHead(status(path), { 'content-type': 'application/json' }).end('{}');
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    points: () => requests.filter((r) => r.path === '/v1/metrics').flatMap((r) => metricPoints(r.body)),
    spans: () => requests.filter((r) => r.path === '/v1/traces').flatMap((r) => spanRecords(r.body)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Attributes as a plain object (ints as numbers). */
export function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue)) ??
      value.doubleValue ??
      value.boolValue;
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: decoding a JSON document whose shape the test asserts
type Json = any;

function metricPoints(body: Json): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const rm of body.resourceMetrics ?? []) {
    const resource = attributesOf(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const data = metric.gauge ?? metric.sum;
        const kind = metric.gauge === undefined ? 'sum' : 'gauge';
        for (const dp of data?.dataPoints ?? []) {
          const value = dp.asDouble ?? (dp.asInt === undefined ? Number.NaN : Number(dp.asInt));
          const attributes = attributesOf(dp.attributes);
          points.push({
            name: metric.name,
            kind,
            isMonotonic: data.isMonotonic === true,
            attributes,
            value,
            resource,
          });
        }
      }
    }
  }
  return points;
}

function spanRecords(body: Json): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        spans.push({
          name: span.name,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          startMs: Number(BigInt(span.startTimeUnixNano) / 1_000_000n),
          endMs: Number(BigInt(span.endTimeUnixNano) / 1_000_000n),
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((e: Json) => ({
            name: e.name,
            attributes: attributesOf(e.attributes),
          })),
          status: span.status ?? {},
          links: (span.links ?? []).map((l: Json) => ({ traceId: l.traceId, spanId: l.spanId })),
          resource,
        });
      }
    }
  }
  return spans;
}
