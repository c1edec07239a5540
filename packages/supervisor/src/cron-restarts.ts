import { type CronSchedule, scheduleCron } from './cron-schedule.js';

/** The `cron_restart` schedules of the apps (SUP-8), one per app name. */
export interface CronRestarts {
  /** Sets, changes or removes (logging it) the schedule of an app to match its `cronRestart`. */
  sync(name: string, expression: string | undefined): void;
  /** Stops every schedule. */
  stopAll(): void;
}

/**
 * Creates the cron restart schedules; on each tick `onTick(name)` restarts the app's running
 * processes, and returns false when the app no longer exists, which ends its schedule.
 */
export function createCronRestarts(options: {
  onTick: (name: string) => boolean;
  log: (line: string) => void;
}): CronRestarts {
  const schedules = new Map<string, { expression: string; schedule: CronSchedule }>();
  const remove = (name: string): void => {
    schedules.get(name)?.schedule.stop();
    schedules.delete(name);
  };
  return {
    sync(name, expression) {
      const current = schedules.get(name);
      if (current?.expression === expression) return;
      remove(name);
      if (expression === undefined) {
        if (current) options.log(`${name}: cron_restart '${current.expression}' ended`);
        return;
      }
      const schedule = scheduleCron(
        expression,
        () => {
          if (!options.onTick(name)) remove(name);
        },
        (error) => options.log(`${name}: ${error.message}`),
        'cron_restart',
      );
      schedules.set(name, { expression, schedule });
    },
    stopAll() {
      for (const name of [...schedules.keys()]) remove(name);
    },
  };
}
