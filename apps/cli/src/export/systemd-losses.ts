import type { AppSpec, Dependency } from '@velos/core';
import { escapeUnitName } from '../startup/systemd-escape.js';
import type { LossyReport } from './lossy-report.js';
import { isScheduled, unitName } from './systemd-timers.js';

/** Notes and lossy options of one app that its systemd units cannot carry (cluster mode, probes…). */
export function noteSystemdLosses(spec: AppSpec, report: LossyReport): void {
  const app = spec.name;
  if (spec.logPerInstance === true && spec.instances > 1 && (spec.outFile ?? spec.errFile) !== undefined) {
    report.note(
      app,
      'log_per_instance',
      'the instance units append to the same out_file and error_file',
      `read one instance with journalctl -u ${escapeUnitName(app)}-<i>.service, or give each unit its own StandardOutput=`,
    );
  }
  if (spec.autostart === false) {
    report.note(
      app,
      'autostart',
      'its units have no [Install] section: systemctl enable does not start them at boot',
      `start it with systemctl start ${isScheduled(spec) ? `${escapeUnitName(app)}.timer` : unitName(spec, app)}`,
    );
  }
  if (spec.execMode === 'cluster' && spec.instances > 1) {
    report.lossy(
      app,
      'exec_mode',
      'cluster mode shares one port between instances; separate units cannot',
      'give each instance its own port with increment_var behind a reverse proxy',
    );
  }
  if (spec.expBackoffRestartDelayMs > 0) {
    report.note(
      app,
      'exp_backoff_restart_delay',
      'restarts wait a fixed RestartSec= (the initial delay), not a growing one',
      'on systemd 254 or later add RestartSteps= and RestartMaxDelaySec=',
    );
  }
  for (const [option, probe] of [
    ['liveness_probe', spec.livenessProbe],
    ['readiness_probe', spec.readinessProbe],
  ] as const) {
    if (probe === undefined) continue;
    report.lossy(
      app,
      option,
      `systemd runs no ${probe.kind} probes`,
      option === 'liveness_probe'
        ? 'use WatchdogSec= with sd_notify(WATCHDOG=1) from the app, or a timer that checks and restarts it'
        : 'let the app signal readiness with Type=notify and sd_notify(READY=1)',
    );
  }
  for (const dep of spec.dependsOn) noteDependency(app, dep, report);
}

/** A dependency that is not an app of the config: its unit is taken to be `<name>.service`. */
export function noteOutsideDependencies(
  spec: AppSpec,
  names: ReadonlySet<string>,
  report: LossyReport,
): void {
  for (const dep of spec.dependsOn) {
    if (names.has(dep.name)) continue;
    report.note(
      spec.name,
      'depends_on',
      `${dep.name} is not an app of this config: After=/Requires= name ${escapeUnitName(dep.name)}.service, and the unit fails to start without it`,
      `export ${dep.name} too (with several instances its unit is ${escapeUnitName(dep.name)}.target), or edit the unit names`,
    );
  }
}

function noteDependency(app: string, dep: Dependency, report: LossyReport): void {
  if (dep.condition !== 'healthy') return;
  report.lossy(
    app,
    'depends_on',
    `After= waits for ${dep.name} to start, not to be healthy`,
    `make ${dep.name} a Type=notify service that reports READY=1 once healthy`,
  );
}
