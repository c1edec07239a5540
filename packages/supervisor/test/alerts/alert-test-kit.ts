import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { VelosEvent } from '@velos/core';
import { type AlertEngine, createAlertEngine } from '../../src/alerts/alert-engine.js';
import type { SampledProcess } from '../../src/alerts/condition-tracker.js';
import { createEventBus, type EventBus } from '../../src/events/event-bus.js';

/** What a test's `afterEach` runs: each entry once, in order. */
export type Cleanups = (() => void | Promise<void>)[];

/** Calls `then` with a request's body parsed as JSON once it has all come. */
export function onJsonBody(req: IncomingMessage, then: (body: unknown) => void): void {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    text += chunk;
  });
  req.on('end', () => then(JSON.parse(text)));
}

/**
 * A real local HTTP receiver that holds each request `isHeld` says so until `release()` (down, as far
 * as the daemon can tell), and answers the others 200; `bodies` are the JSON bodies in arrival order.
 * It is released and closed by `cleanups`.
 */
export async function holdingServer(isHeld: (body: { status: string }) => boolean, cleanups: Cleanups) {
  const bodies: ({ app: string; status: string } & Record<string, unknown>)[] = [];
  const held: (() => void)[] = [];
  let isHolding = true;
  const server = createServer((req, res) => {
    onJsonBody(req, (parsed) => {
      const body = parsed as { app: string; status: string } & Record<string, unknown>;
      bodies.push(body);
      const answer = () => res.writeHead(200).end();
      if (isHolding && isHeld(body)) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => {
    isHolding = false;
    for (const answer of held.splice(0)) answer();
  };
  cleanups.push(() => {
    release();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, held, release };
}

/** One daemon's alert engine on a home: its bus, the alert events it published and its log lines. */
export interface EngineDaemon {
  engine: AlertEngine;
  bus: EventBus;
  alerts: VelosEvent[];
  logs: string[];
  /** Drops the engine as a SIGKILL would (nothing saved on the way out). */
  stop(): void;
}

/** One daemon's alert engine on `home` (stopped by `cleanups` if the test did not). */
export function daemonOn(home: string, processes: SampledProcess[], cleanups: Cleanups): EngineDaemon {
  const bus = createEventBus({ path: join(home, 'events.jsonl') });
  const alerts: VelosEvent[] = [];
  const logs: string[] = [];
  bus.published.subscribe((event) => {
    if (event.kind.startsWith('alert.')) alerts.push(event);
  });
  const engine = createAlertEngine({
    home,
    bus,
    processes: () => processes,
    matchesTarget: (target, app) => app === target,
    log: (line) => logs.push(line),
  });
  let isStopped = false;
  const stop = (): void => {
    if (isStopped) return;
    isStopped = true;
    engine.close();
    bus.close();
  };
  cleanups.push(stop);
  return { engine, bus, alerts, logs, stop };
}

/** What a daemon that starts again does: the saved state first, then `alerts.json`. */
export function restartOn(home: string, processes: SampledProcess[], cleanups: Cleanups): EngineDaemon {
  const daemon = daemonOn(home, processes, cleanups);
  daemon.engine.restoreState();
  daemon.engine.loadSaved();
  return daemon;
}
