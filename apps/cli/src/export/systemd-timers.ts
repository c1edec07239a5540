import type { AppSpec } from '@velos/core';
import { escapeUnitName, execLine } from '../startup/systemd-escape.js';
import { cronToOnCalendar } from './cron-calendar.js';
import { type ExportFile, type ExportOptions, systemdSeconds } from './export-file.js';
import type { LossyReport } from './lossy-report.js';

const SYSTEMCTL = '/usr/bin/systemctl';

/** The first comment line of a unit: which app it belongs to and the command that wrote it. */
export function systemdHeader(spec: AppSpec, options: ExportOptions, what: string): string[] {
  return [
    `# ${what} of the Velos app "${spec.name}", written by \`velos export systemd ${options.source}\`.`,
  ];
}

/** The unit that stands for an app in `After=`/`Requires=`: its service, or the target of its instances. */
export function unitName(spec: AppSpec | undefined, name: string): string {
  const unit = escapeUnitName(name);
  return spec && spec.type === 'service' && spec.instances > 1 ? `${unit}.target` : `${unit}.service`;
}

/** A job with a `schedule` or an `interval` (a job with neither is a one-shot: it runs once). */
export function isScheduled(spec: AppSpec): boolean {
  return spec.type === 'job' && (spec.schedule !== undefined || spec.intervalMs !== undefined);
}

/**
 * The `[Install]` section of an app's unit (`systemctl enable` starts it at boot); none for an app of
 * `autostart = false`, which Velos adds stopped: it is started by hand.
 */
export function installLines(spec: AppSpec, wantedBy: string): string[] {
  return spec.autostart === false ? [] : ['', '[Install]', `WantedBy=${wantedBy}`];
}

export function jobTimer(spec: AppSpec, report: LossyReport, options: ExportOptions): string {
  return [
    ...systemdHeader(spec, options, 'The schedule'),
    '[Unit]',
    `Description=Schedule of the Velos job ${spec.name}`,
    '',
    '[Timer]',
    ...scheduleLines(spec.name, spec.schedule, spec.intervalMs, 'schedule', report),
    `Unit=${escapeUnitName(spec.name)}.service`,
    ...installLines(spec, 'timers.target'),
    '',
  ].join('\n');
}

function scheduleLines(
  app: string,
  cron: string | undefined,
  intervalMs: number | undefined,
  option: string,
  report: LossyReport,
): string[] {
  if (cron !== undefined) {
    // a job's schedule due while no daemon ran is made up once when it is back, as Persistent= does
    const persistent = option === 'schedule' ? ['Persistent=true'] : [];
    const calendar = cronToOnCalendar(cron);
    if (calendar.ok) return [`OnCalendar=${calendar.value}`, 'AccuracySec=1s', ...persistent];
    report.lossy(app, option, calendar.reason, 'write an OnCalendar= line by hand');
    return ['OnCalendar=daily', ...persistent];
  }
  const every = systemdSeconds(intervalMs ?? 60_000);
  return [`OnActiveSec=${every}`, `OnUnitActiveSec=${every}`, 'AccuracySec=1s'];
}

export function cronRestartUnits(
  spec: AppSpec,
  services: string[],
  report: LossyReport,
  options: ExportOptions,
): ExportFile[] {
  const name = `${escapeUnitName(spec.name)}-cron-restart`;
  // an app that ends by itself (autorestart off, a stop_exit_codes exit) leaves its unit inactive, and
  // try-restart starts no inactive unit: the daemon's tick starts such an app again (PM2's cron does)
  const endsByItself = !spec.autorestart || spec.stopExitCodes.length > 0;
  if (endsByItself) {
    report.note(
      spec.name,
      'cron_restart',
      'each tick starts the units again, also after a `systemctl stop` (`velos stop` keeps an app stopped)',
      `stop the timer as well: systemctl stop ${name}.timer`,
    );
  }
  const service = [
    ...systemdHeader(spec, options, 'The cron_restart'),
    '[Unit]',
    `Description=Restart the Velos app ${spec.name} (cron_restart)`,
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${execLine([SYSTEMCTL, endsByItself ? 'restart' : 'try-restart', ...services])}`,
    '',
  ].join('\n');
  const timer = [
    ...systemdHeader(spec, options, 'The cron_restart schedule'),
    '[Unit]',
    `Description=cron_restart schedule of the Velos app ${spec.name}`,
    '',
    '[Timer]',
    ...scheduleLines(spec.name, spec.cronRestart, undefined, 'cron_restart', report),
    `Unit=${name}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return [
    { name: `${name}.service`, text: service },
    { name: `${name}.timer`, text: timer },
  ];
}
