import { type AppSpec, ErrorCodes, formatUmask, VelosError } from '@velos/core';
import { noteProcessFiles } from './process-files.js';

/** The targets `velos export` writes. */
export type ExportTarget = 'systemd' | 'compose' | 'kubernetes';

/** How much a loss matters: `lossy` changes what the app does (an error without `--lossy`), `note` does not. */
export type LossSeverity = 'lossy' | 'note';

/** One thing of a Velos config that the target does not carry over, and what to use there instead. */
export interface Loss {
  app: string;
  /** The config key, as written in a Velos config (`watch`, `liveness_probe`…). */
  option: string;
  severity: LossSeverity;
  /** What is lost. */
  detail: string;
  /** How to get it back on the target. */
  instead: string;
  /** What the error says instead of "<target> cannot express it", and of what `--lossy` does. */
  wording?: LossWording;
}

/** The error's words for a loss that is not the target's: an app that is not on this machine. */
export interface LossWording {
  /** In place of "<target> cannot express it". */
  problem: string;
  /** In place of "export without it", after "or pass --lossy to". */
  withLossy: string;
}

/**
 * Collects the losses of one export: a `lossy` one is an error (naming the app and the option) unless
 * `--lossy` was given, thrown at once, or by `throwIfLossy` once every app was seen when the report
 * defers it (`velos export` names them all); every loss goes into the report header and onto stderr.
 */
export class LossyReport {
  readonly losses: Loss[] = [];

  constructor(
    readonly target: ExportTarget,
    readonly isLossyAllowed: boolean,
    readonly isDeferred = false,
  ) {}

  /** Records an option the target cannot express; without `--lossy` an INVALID_CONFIG error. */
  lossy(app: string, option: string, detail: string, instead: string, wording?: LossWording): void {
    const loss: Loss = { app, option, severity: 'lossy', detail, instead, ...(wording ? { wording } : {}) };
    if (!this.isLossyAllowed && !this.isDeferred) throw this.lossyError(loss, []);
    this.losses.push(loss);
  }

  /** Without `--lossy`: throws the error of the first lossy option, naming the others after it. */
  throwIfLossy(): void {
    const [first, ...others] = this.losses.filter((loss) => loss.severity === 'lossy');
    if (this.isLossyAllowed || first === undefined) return;
    throw this.lossyError(first, others);
  }

  private lossyError(loss: Loss, others: readonly Loss[]): VelosError {
    const { app, option } = loss;
    const more = [...new Set(others.map((other) => `${other.app}: ${other.option}`))];
    return new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${app}: ${option}: ${loss.wording?.problem ?? `${this.target} cannot express it`} (${loss.detail}); ${loss.instead}, or pass --lossy to ${loss.wording?.withLossy ?? 'export without it'}${
        more.length === 0 ? '' : ` (also lossy: ${more.join(', ')})`
      }`,
      { data: { app, option, target: this.target } },
    );
  }

  /** Records a Velos feature the target does without (no error): the log engine, log files… */
  note(app: string, option: string, detail: string, instead: string): void {
    this.losses.push({ app, option, severity: 'note', detail, instead });
  }

  /** The report as `# ` comment lines (for the top of exported files), of `apps` only when given. */
  commentLines(apps?: readonly string[]): string[] {
    const losses = apps ? this.losses.filter((loss) => apps.includes(loss.app)) : this.losses;
    if (losses.length === 0) return [];
    return [
      `# Not carried over to ${this.target} (velos export${this.isLossyAllowed ? ' --lossy' : ''}):`,
      ...groupLosses(losses).map((line) => `# - ${line}`),
    ];
  }

  /** The report as stderr lines: `velos export: warning: …` for lossy ones, `note: …` for the rest. */
  stderrLines(): string[] {
    const lossy = groupLosses(this.losses.filter((loss) => loss.severity === 'lossy'));
    const notes = groupLosses(this.losses.filter((loss) => loss.severity === 'note'));
    return [
      ...lossy.map((line) => `velos export: warning: ${line}`),
      ...notes.map((line) => `velos export: note: ${line}`),
    ];
  }
}

/** Losses on one line each; the same loss of several apps is one line naming them all (`a, b: watch: …`). */
export function groupLosses(losses: readonly Loss[]): string[] {
  const groups = new Map<string, { apps: string[]; loss: Loss }>();
  for (const loss of losses) {
    const key = `${loss.severity}\0${loss.option}\0${loss.detail}\0${loss.instead}`;
    const group = groups.get(key);
    if (group) group.apps.push(loss.app);
    else groups.set(key, { apps: [loss.app], loss });
  }
  return [...groups.values()].map(({ apps, loss }) => formatLoss({ ...loss, app: apps.join(', ') }));
}

/** One loss on one line: `web: watch: not watched (…); instead: …`. */
export function formatLoss(loss: Loss): string {
  return `${loss.app}: ${loss.option}: ${loss.detail}; instead: ${loss.instead}`;
}

/** The Velos features no target has, noted for every app that uses them (shared by the three targets). */
export function noteVelosOnly(report: LossyReport, spec: AppSpec): void {
  const app = spec.name;
  if (spec.logEngine !== false) {
    report.note(
      app,
      'log_engine',
      'no live log engine (error counters, patterns, anomaly events)',
      'ship the logs to your log stack (journald, Loki, Elasticsearch) and run `velos-log` on them',
    );
  }
  if (spec.logRules !== undefined) {
    report.note(
      app,
      'log_rules',
      'its classification rules are not exported',
      'classify the shipped logs with `velos-log --rules <file>` (the same list as a JSON or TOML file)',
    );
  }
  if (spec.logMaxBytes !== undefined || spec.logRotateCron !== undefined) {
    report.note(
      app,
      spec.logMaxBytes !== undefined ? 'log_max_size' : 'log_rotate_cron',
      'Velos log rotation is not exported',
      'the target rotates its own logs (journald limits, the container runtime or kubelet log rotation)',
    );
  }
  if (spec.logFormat === 'json' || spec.logDateFormat !== undefined) {
    report.note(
      app,
      spec.logFormat === 'json' ? 'log_format' : 'log_date_format',
      'log lines are not re-written as JSON or timestamped',
      'the target timestamps lines itself; parse JSON in your log pipeline',
    );
  }
  if (spec.metricsUrl !== undefined) {
    report.note(
      app,
      'metrics_url',
      'the app endpoint is not scraped by Velos there',
      'point your Prometheus at it (docs/metrics.md, docs/beyond-one-machine.md)',
    );
  }
  if (spec.watch !== undefined) {
    report.lossy(
      app,
      'watch',
      'no restart on file changes',
      'deploy a new version (watch mode is for development)',
    );
  }
  if (spec.watchdog !== undefined) {
    report.lossy(
      app,
      'watchdog',
      'no log-inactivity watchdog',
      'use a liveness probe that fails when the app stops making progress',
    );
  }
  if (report.target !== 'systemd' && spec.execMode === 'cluster') {
    report.note(
      app,
      'exec_mode',
      'cluster mode becomes one process per replica, each with its own network',
      `the ${report.target === 'compose' ? "network's DNS round robin" : 'Service'} spreads connections over the replicas`,
    );
  }
  if (report.target !== 'systemd' && spec.type === 'service' && spec.instances > 1) {
    report.note(
      app,
      'instances',
      `the replicas get no instance index (VELOS_INSTANCE, ${spec.instanceVar ?? 'NODE_APP_INSTANCE'})`,
      'an app that runs a task on instance 0 only needs a job or a lock',
    );
  }
  if (report.target !== 'systemd' && spec.umask !== undefined) {
    const mask = formatUmask(spec.umask).replace(/^0(?=\d{3})/, '');
    report.lossy(
      app,
      'umask',
      `umask ${mask} is not carried: the ${report.target === 'compose' ? 'container' : 'pod'}'s processes get the image's (022 by default)`,
      `set it in the image's entrypoint (umask ${mask} before exec)`,
    );
  }
  if (spec.waitReady) {
    report.lossy(
      app,
      'wait_ready',
      "process.send('ready') is not awaited",
      'use a readiness probe (an HTTP or TCP check)',
    );
  }
  noteProcessFiles(report, spec);
}
