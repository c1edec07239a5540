import { join } from 'node:path';
import {
  type EmitEventRequest,
  ErrorCodes,
  type ExitReason,
  suggestKey,
  type VelosControl,
  VelosError,
  type VelosEvent,
} from '@velos/core';
import type { ProcessTable } from '../process-table.js';
import { noteRestart } from '../recent-restarts.js';
import { namePatternOf, targetNotFound } from '../targets.js';
import { createAppEventIntake } from './app-event-intake.js';
import { createEventBus, type EventBus, type EventSelector } from './event-bus.js';
import { processEventsOf } from './process-events.js';

/** The `events`, `followEvents` and `emitEvent` methods of the supervisor, and the bus behind them. */
export interface EventControl extends Pick<VelosControl, 'events' | 'followEvents' | 'emitEvent'> {
  readonly bus: EventBus;
  /** The app (and its one process) that `target` names, by name or id; TARGET_NOT_FOUND when none is listed. */
  appOf(target: string): { app: string; id?: number };
  /** Reports the app event drops still open, then writes what is pending and closes the file. */
  close(): void;
}

/** OBS-2: opens the bus of `home` (`events.jsonl`) and feeds it every status change of `table`. */
export function createEventControl(options: {
  home: string;
  table: ProcessTable;
  log: (line: string) => void;
}): EventControl {
  const { table } = options;
  let lastError = '';
  const bus = createEventBus({
    path: join(options.home, 'events.jsonl'),
    namespaceOf: (app) => table.apps.get(app)?.spec.namespace,
    onError: (error) => {
      // one line per distinct failure: a full disk must not flood daemon.log
      const text = String(error);
      if (text !== lastError) options.log(`events: ${text}`);
      lastError = text;
    },
  });
  // job runs are told by the job scheduler (job.started/job.finished), the causes of a restart
  // (memory limit, watchdog, file change) by the modules that decide them
  table.statusEvents.subscribe((change) => {
    const record = table.records.get(change.id);
    for (const event of processEventsOf(change, record)) {
      bus.publish(event);
      // the row's count of a restart loop: the same restarts a client counts in these events
      if (record && event.kind === 'process.restarting') {
        record.recentRestarts ??= [];
        noteRestart(
          record.recentRestarts,
          (event.fields?.reason ?? null) as ExitReason | null,
          event.at ?? Date.now(),
        );
      }
    }
  });

  /** The one place an `app.<name>` event is made: `events.emit` and the apps' own events (JSON lines, IPC). */
  const publishApp = (request: EmitEventRequest, app?: string, id?: number): VelosEvent =>
    bus.publish({
      kind: `app.${request.name}`,
      severity: request.severity ?? 'info',
      ...(app === undefined ? {} : { app }),
      ...(id === undefined ? {} : { id }),
      message: request.message ?? request.name,
      ...(request.fields === undefined ? {} : { fields: request.fields }),
    });
  const intake = createAppEventIntake({ publishApp, publish: bus.publish, log: options.log });
  table.appEvents.subscribe((report) => intake.accept(report));

  /**
   * Events of a target: an id, an app name or a namespace (recorded in the event, or of an app listed
   * now), a `/regex/` of app names (a deleted app's too), or all.
   */
  const selectorOf = (target: string | undefined): EventSelector | undefined => {
    if (target === undefined || target === 'all') return undefined;
    const pattern = namePatternOf(target);
    if (pattern !== undefined) return (event) => event.app !== undefined && pattern.test(event.app);
    if (/^\d+$/.test(target)) {
      const id = Number(target);
      return (event) => event.id === id;
    }
    // an event that records no namespace (written before they were) takes its app's of now, if listed
    return (event: VelosEvent) =>
      event.app === target ||
      (event.app !== undefined && (event.namespace ?? table.apps.get(event.app)?.spec.namespace) === target);
  };

  /** Whether `target` names a process listed now: an id, an app name, the namespace of an app, a `/regex/` of one's name. */
  const namesListed = (target: string): boolean => {
    const pattern = namePatternOf(target);
    if (pattern !== undefined) return [...table.apps.keys()].some((name) => pattern.test(name));
    return (
      (/^\d+$/.test(target) && table.records.has(Number(target))) ||
      table.apps.has(target) ||
      [...table.apps.values()].some((entry) => entry.spec.namespace === target)
    );
  };

  /**
   * The error of a target that selects nothing: it names no process listed now and no event held names
   * it. A deleted app's events still answer; a misspelt name is told, not answered `[]`, with the listed
   * app or namespace it was likely meant to be, as every other command's target says it.
   */
  const refuseUnknown = (target: string): VelosError =>
    targetNotFound(target, table.records.values(), ', and no event names it');

  const appOf = (target: string): { app: string; id?: number } => {
    const records = [...table.records.values()];
    const record =
      records.find((r) => r.app.spec.name === target) ??
      (/^\d+$/.test(target) ? table.records.get(Number(target)) : undefined);
    if (!record) {
      // told here, not by the CLI, so that REST and MCP callers get the hint too
      const meant = suggestKey(target, [...new Set(records.map((r) => r.app.spec.name))]);
      const hint = meant === null ? '' : ` (did you mean '${meant}'?)`;
      throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no app matches '${target}'${hint}`, {
        data: meant === null ? { target } : { target, meant },
      });
    }
    const isOne = record.app.ids.length === 1 || String(record.id) === target;
    return isOne ? { app: record.app.spec.name, id: record.id } : { app: record.app.spec.name };
  };

  return {
    bus,
    appOf,
    close() {
      intake.close();
      bus.close();
    },
    async events(request = {}) {
      const { target } = request;
      const select = selectorOf(target);
      const result = await bus.query(request, select);
      if (result.events.length > 0 || select === undefined || namesListed(target!)) return result;
      // none in the window asked: any of it at all? (only then is the whole file read)
      if ((await bus.query({ limit: 1 }, select)).events.length === 0) throw refuseUnknown(target!);
      return result;
    },
    followEvents(request = {}) {
      const { target } = request;
      const select = selectorOf(target);
      // the ring only: a follow is of what comes, and an app deleted before the ring's events is not coming
      if (select !== undefined && !namesListed(target!) && !bus.holdsRecent(select))
        throw refuseUnknown(target!);
      return bus.follow(request, select);
    },
    async emitEvent(request) {
      if (request.app === undefined) return publishApp(request);
      const { app, id } = appOf(request.app);
      return publishApp(request, app, id);
    },
  };
}
