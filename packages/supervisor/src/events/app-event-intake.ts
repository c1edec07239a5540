import type { EmitEventRequest, EventInput } from '@velos/core';
import { APP_EVENTS_PER_SECOND, createAppEventLimiter, type DroppedBurst } from './app-event-limit.js';
import { parseAppEvent } from './app-event-parse.js';

/** What a process sent that may be an app event: a JSON line of its output, or a `process.send` message. */
export interface AppEventReport {
  /** The Velos id of the process. */
  id: number;
  /** Its app's name. */
  name: string;
  /** The line (text) or the IPC message (a value). */
  value: unknown;
}

/** Turns what processes send into bus events. */
export interface AppEventIntake {
  /** Publishes the event `report` holds, unless it is invalid (one daemon.log line per process) or over the rate limit. */
  accept(report: AppEventReport): void;
  /** Reports the drop bursts still open. */
  close(): void;
}

/** Processes whose invalid app event was already told in daemon.log (bounded: ids are not reused). */
const MAX_WARNED = 1000;

/**
 * OBS-2: creates the intake of app events; `publishApp` is the one place `app.<name>` events are
 * made (shared with `events.emit`), `publish` tells the bus about dropped bursts.
 */
export function createAppEventIntake(options: {
  publishApp: (request: EmitEventRequest, app: string, id: number) => void;
  publish: (event: EventInput) => void;
  log: (line: string) => void;
}): AppEventIntake {
  const names = new Map<number, string>();
  const warned = new Set<number>();
  const label = (id: number) => `${names.get(id) ?? 'process'} (id ${id})`;
  const limiter = createAppEventLimiter({
    onDropStart: (id) =>
      options.log(
        `${label(id)}: more than ${APP_EVENTS_PER_SECOND} app events per second, the excess is dropped`,
      ),
    onBurst: (burst) => reportBurst(burst),
  });

  function reportBurst({ key: id, dropped, since, until }: DroppedBurst): void {
    const app = names.get(id);
    options.publish({
      kind: 'process.app_events_dropped',
      severity: 'warning',
      ...(app === undefined ? {} : { app }),
      id,
      message: `${label(id)}: ${dropped} app event${dropped === 1 ? '' : 's'} dropped (over the limit of ${APP_EVENTS_PER_SECOND}/s)`,
      fields: { dropped, limit_per_s: APP_EVENTS_PER_SECOND, since, until },
    });
  }

  return {
    accept({ id, name, value }) {
      if (names.size >= MAX_WARNED && !names.has(id)) names.clear();
      names.set(id, name);
      const parsed = parseAppEvent(value);
      if (!parsed.ok) {
        if (!warned.has(id)) {
          if (warned.size >= MAX_WARNED) warned.clear();
          warned.add(id);
          options.log(
            `${label(id)}: a velos_event was not taken as an event (${parsed.reason}); it stays a log line`,
          );
        }
        return;
      }
      if (limiter.take(id)) options.publishApp(parsed.request, name, id);
    },
    close() {
      limiter.close();
    },
  };
}
