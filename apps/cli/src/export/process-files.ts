import type { AppSpec } from '@velos/core';
import type { ExportTarget, LossyReport } from './lossy-report.js';

/** Where each target keeps an app's output instead of Velos's log files, for the notes. */
const OUTPUT_INSTEAD: Record<ExportTarget, string> = {
  systemd: 'the journal holds both streams (journalctl -u <unit>)',
  compose: 'read them with `docker compose logs <service>`, or set a logging driver',
  kubernetes: "read them with `kubectl logs`, or your cluster's log collector",
};

/** Where each target tells an app's pid, for the pid_file note. */
const PID_INSTEAD: Record<ExportTarget, string> = {
  systemd: 'systemctl show -p MainPID <unit>',
  compose: 'docker compose top <service>',
  kubernetes: "kubectl exec <pod> -- cat /proc/1/status (the app is the container's process 1)",
};

/** The signal each target stops an app with, for the shutdown_with_message warning. */
function stopSignalOf(spec: AppSpec, target: ExportTarget): string {
  return target === 'kubernetes' ? 'SIGTERM' : spec.stopSignal;
}

/**
 * Notes the files the daemon writes for an app that the target does not (`out_file` and
 * `error_file` in a container, PM2's combined `log_file`, `pid_file`), and warns of
 * `shutdown_with_message`, which no target sends: the app gets a signal instead.
 */
export function noteProcessFiles(report: LossyReport, spec: AppSpec): void {
  const app = spec.name;
  const { target } = report;
  if (target !== 'systemd' && (spec.outFile !== undefined || spec.errFile !== undefined)) {
    const files = [spec.outFile, spec.mergeLogs ? undefined : spec.errFile].filter(
      (file): file is string => file !== undefined,
    );
    report.note(
      app,
      spec.outFile !== undefined ? 'out_file' : 'error_file',
      `the lines go to the container's stdout and stderr, not to ${files.join(' and ')}`,
      OUTPUT_INSTEAD[target],
    );
  }
  if (spec.logFile !== undefined || spec.logFileInHome === true) {
    report.note(app, 'log_file', 'no combined log file of both streams is written', OUTPUT_INSTEAD[target]);
  }
  if (spec.pidFile !== undefined) {
    report.note(app, 'pid_file', `no pid file is written (${spec.pidFile})`, PID_INSTEAD[target]);
  }
  if (spec.shutdownWithMessage === true) {
    const signal = stopSignalOf(spec, target);
    report.lossy(
      app,
      'shutdown_with_message',
      `the app is stopped with ${signal}, not the message 'shutdown'`,
      `handle ${signal} in the app (process.on('${signal}', …))`,
    );
  }
}
