import { basename, dirname, isAbsolute } from 'node:path';
import { type AppSpec, formatUmask } from '@velos/core';
import { environmentLine, escapeUnitName, execLine } from '../startup/systemd-escape.js';
import { type Argv, hostArgv, instanceEnvironment } from './app-command.js';
import { type ExportFile, type ExportOptions, type FileSecrets, systemdSeconds } from './export-file.js';
import { type LossyReport, noteVelosOnly } from './lossy-report.js';
import { envFileText, exportedEnv, type SplitEnv, splitSecretEnv } from './secret-env.js';
import { noteOutsideDependencies, noteSystemdLosses } from './systemd-losses.js';
import {
  cronRestartUnits,
  installLines,
  isScheduled,
  jobTimer,
  systemdHeader,
  unitName,
} from './systemd-timers.js';

/**
 * Renders systemd units for every app: `<name>.service` (or `<name>-<i>.service` per instance, grouped
 * by `<name>.target`), a `.timer` beside a job's oneshot service, and a timer for `cron_restart`; the
 * name as `escapeUnitName` writes it (`my api` → `my\x20api.service`).
 * @example exportSystemd(specs, new LossyReport('systemd', false), { source: 'velos.toml' })
 */
export function exportSystemd(specs: AppSpec[], report: LossyReport, options: ExportOptions): ExportFile[] {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const files: ExportFile[] = [];
  for (const spec of specs) {
    noteVelosOnly(report, spec);
    noteSystemdLosses(spec, report);
    noteOutsideDependencies(spec, new Set(byName.keys()), report);
    const unitOf = (name: string) => unitName(byName.get(name), name);
    const app = spec.name;
    const unit = escapeUnitName(app);
    const ownEnv = unitEnv(spec, report);
    const env = splitSecretEnv(ownEnv, undefined, spec.incrementVar);
    const envFile = Object.keys(env.moved).length > 0 ? `${unit}.env` : undefined;
    if (envFile !== undefined) files.push(secretsFile(spec, envFile, env));
    const secrets: FileSecrets[] | undefined =
      env.kept.length > 0 ? [{ app, keys: env.kept, isMoved: false }] : undefined;
    const paths = unitPaths(spec, report);
    const service = (instance: number) => ({
      app,
      text: serviceUnit({ ...spec, ownEnv }, instance, unitOf, options, env, envFile, paths),
      ...(secrets === undefined ? {} : { secrets }),
    });
    if (spec.type === 'job') {
      files.push({ name: `${unit}.service`, ...service(0) });
      if (isScheduled(spec))
        files.push({ app, name: `${unit}.timer`, text: jobTimer(spec, report, options) });
      continue;
    }
    const services = instanceUnits(spec);
    services.forEach((name, i) => {
      files.push({ name, ...service(i) });
    });
    if (services.length > 1) {
      files.push({ app, name: `${unit}.target`, text: groupTarget(spec, services, options) });
    }
    if (spec.cronRestart !== undefined) {
      for (const file of cronRestartUnits(spec, services, report, options)) files.push({ app, ...file });
    }
  }
  return files;
}

/** A variable name systemd takes in Environment= and EnvironmentFile= (it ignores others, with a log line). */
const SYSTEMD_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An app's own env without the variables systemd would ignore, which are lossy. */
function unitEnv(spec: AppSpec, report: LossyReport): Record<string, string> {
  const env = exportedEnv(spec);
  const bad = Object.keys(env).filter((name) => !SYSTEMD_ENV_NAME.test(name));
  if (bad.length === 0) return env;
  report.lossy(
    spec.name,
    'env',
    `systemd ignores the variable${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (a name is letters, digits and _, not starting with a digit)`,
    `rename ${bad.length > 1 ? 'them' : 'it'}, or set ${bad.length > 1 ? 'them' : 'it'} in a wrapper script that execs the app`,
  );
  return Object.fromEntries(Object.entries(env).filter(([name]) => SYSTEMD_ENV_NAME.test(name)));
}

function instanceUnits(spec: AppSpec): string[] {
  const unit = escapeUnitName(spec.name);
  if (spec.instances === 1) return [`${unit}.service`];
  return Array.from({ length: spec.instances }, (_, i) => `${unit}-${i}.service`);
}

function serviceUnit(
  spec: AppSpec,
  instance: number,
  unitOf: (name: string) => string,
  options: ExportOptions,
  env: SplitEnv,
  envFile: string | undefined,
  paths: UnitPaths,
): string {
  const isJob = spec.type === 'job';
  const deps = spec.dependsOn.map((dep) => unitOf(dep.name));
  const startAttempts = spec.maxRestarts + 1;
  const windowSec = Math.ceil((startAttempts * (spec.minUptimeMs + spec.restartDelayMs)) / 1000);
  const unit = [
    `Description=Velos app ${spec.name}${spec.instances > 1 ? ` (instance ${instance})` : ''}`,
    `After=${['network.target', ...deps].join(' ')}`,
    ...(deps.length > 0 ? [`Requires=${deps.join(' ')}`] : []),
    ...(isJob || !spec.autorestart
      ? []
      : [
          '# max_restarts/min_uptime: this many starts within this window make the unit fail',
          `StartLimitIntervalSec=${Math.max(1, windowSec)}s`,
          `StartLimitBurst=${startAttempts}`,
        ]),
  ];
  const environment = Object.entries(instanceEnvironment(spec, instance)).filter(
    ([name]) => !Object.hasOwn(env.moved, name),
  );
  const argv = hostArgv(spec);
  const path = unitPath(spec, argv);
  const service = [
    `Type=${isJob ? 'oneshot' : 'simple'}`,
    // a one-shot job stays "active" once it exited 0, so that units that require it may start
    ...(isJob && !isScheduled(spec) ? ['RemainAfterExit=yes'] : []),
    ...(spec.uid === undefined ? [] : [`User=${spec.uid}`]),
    ...(spec.gid === undefined ? [] : [`Group=${spec.gid}`]),
    ...(spec.umask === undefined ? [] : [`UMask=${formatUmask(spec.umask)}`]),
    ...(paths.cwd === undefined ? [] : [`WorkingDirectory=${paths.cwd}`]),
    ...environment.map(([name, value]) => environmentLine(name, value)),
    ...(path === undefined ? [] : [environmentLine('PATH', path)]),
    // %E: /etc for the system manager, ~/.config for a user's (no `-`: a unit without its file fails to start);
    // systemd does not unquote this path, and the escaped unit name holds no `%`: written as it is
    ...(envFile === undefined ? [] : [`EnvironmentFile=%E/velos/${envFile}`]),
    `ExecStart=${execLine(argv)}`,
    ...restartLines(spec),
    `KillSignal=${spec.stopSignal}`,
    `TimeoutStopSec=${systemdSeconds(spec.killTimeoutMs)}`,
    ...(spec.maxMemoryBytes === undefined ? [] : [`MemoryMax=${spec.maxMemoryBytes}`]),
    // a oneshot service's run is its start: TimeoutStartSec= bounds it (RuntimeMaxSec= does not apply)
    ...(isJob
      ? [
          `TimeoutStartSec=${spec.jobTimeoutMs === undefined ? 'infinity' : systemdSeconds(spec.jobTimeoutMs)}`,
        ]
      : []),
    ...(paths.out === undefined ? [] : [`StandardOutput=append:${paths.out}`]),
    ...(paths.err === undefined ? [] : [`StandardError=append:${paths.err}`]),
  ];
  return [
    ...systemdHeader(spec, options, isScheduled(spec) ? 'The service run by the timer' : 'The service'),
    '[Unit]',
    ...unit,
    '',
    '[Service]',
    ...service,
    ...(isScheduled(spec) ? [] : installLines(spec, 'multi-user.target')),
    '',
  ].join('\n');
}

/** The PATH systemd gives the services it runs (no /sbin and /bin of their own on a merged /usr). */
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The shells whose `-c` runs a command line (`/bin/sh -c "npm start"`, a `script` that is a command line). */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh']);

/**
 * The unit's `Environment=PATH=`: none when the app's own env sets PATH (written with the rest); for a
 * command line, whose programs are unknown, the PATH the app runs with (its env's, else this shell's)
 * unless it is systemd's; else `programPath`.
 */
function unitPath(spec: AppSpec, argv: Argv): string | undefined {
  if (Object.hasOwn(spec.ownEnv ?? spec.env, 'PATH')) return undefined;
  if (!isCommandLine(argv)) return programPath(argv[0] ?? '');
  const ranWith = spec.env.PATH ?? process.env.PATH;
  return ranWith === undefined || ranWith === '' || ranWith === SYSTEMD_PATH ? undefined : ranWith;
}

/** True for `sh -c <line>` (also `bash -lc`, `-ec`): the argv of a command line. */
function isCommandLine([program = '', flags = '']: Argv): boolean {
  return SHELLS.has(basename(program)) && /^-[a-z]*c$/.test(flags);
}

/**
 * PATH for a unit whose program lies outside systemd's PATH (node and npm of nvm, a pyenv shim): its
 * directory first, as the daemon runs it with the PATH it was found on, so that its `#!/usr/bin/env
 * node` and the programs it runs by name are found; none for a program on systemd's PATH.
 */
function programPath(program: string): string | undefined {
  if (!isAbsolute(program)) return undefined;
  const dir = dirname(program);
  return SYSTEMD_PATH.split(':').includes(dir) ? undefined : `${dir}:${SYSTEMD_PATH}`;
}

/** The env file of an app's values that look secret, kept out of its units (EnvironmentFile=). */
function secretsFile(spec: AppSpec, name: string, env: SplitEnv): ExportFile {
  const text = envFileText(
    [
      `The env values of ${spec.name} that look secret, read by its units' EnvironmentFile=.`,
      `Install it as /etc/velos/${name} (a user unit: ~/.config/velos/${name}), mode 0600.`,
    ],
    env.moved,
  );
  return {
    app: spec.name,
    name,
    text,
    secrets: [{ app: spec.name, keys: Object.keys(env.moved), isMoved: true }],
  };
}

function restartLines(spec: AppSpec): string[] {
  if (spec.type === 'job' || !spec.autorestart) return ['Restart=no'];
  const delayMs = spec.expBackoffRestartDelayMs > 0 ? spec.expBackoffRestartDelayMs : spec.restartDelayMs;
  return [
    'Restart=always',
    `RestartSec=${systemdSeconds(delayMs)}`,
    ...(spec.stopExitCodes.length > 0 ? [`RestartPreventExitStatus=${spec.stopExitCodes.join(' ')}`] : []),
  ];
}

/** An app's paths as its units write them (`pathSetting`); a path systemd cannot hold is left out. */
interface UnitPaths {
  cwd?: string;
  out?: string;
  err?: string;
}

function unitPaths(spec: AppSpec, report: LossyReport): UnitPaths {
  const errFile = spec.mergeLogs ? spec.outFile : spec.errFile;
  const paths: UnitPaths = {};
  for (const [key, option, path] of [
    ['cwd', 'cwd', spec.cwd],
    ['out', 'out_file', spec.outFile],
    ['err', spec.mergeLogs ? 'out_file' : 'error_file', errFile],
  ] as const) {
    if (path === undefined) continue;
    const setting = pathSetting(path);
    if (setting !== null) paths[key] = setting;
    else if (key !== 'err' || errFile !== spec.outFile) {
      report.lossy(
        spec.name,
        option,
        `a unit cannot hold the path ${JSON.stringify(path)} (a line break, or blanks at its ends)`,
        'rename it',
      );
    }
  }
  return paths;
}

/**
 * A path for WorkingDirectory=, StandardOutput=append:, EnvironmentFile=: systemd takes the rest of
 * the line as it is (no quotes, no escapes), only `%` specifiers expand; null when the line cannot
 * hold it (a line break ends the setting, blanks at its ends are trimmed).
 */
function pathSetting(path: string): string | null {
  if (/[\r\n]/.test(path) || path !== path.trim()) return null;
  return path.replaceAll('%', '%%');
}

function groupTarget(spec: AppSpec, services: string[], options: ExportOptions): string {
  return [
    ...systemdHeader(spec, options, `The ${services.length} instances`),
    '[Unit]',
    `Description=Velos app ${spec.name} (${services.length} instances)`,
    `Wants=${services.join(' ')}`,
    ...installLines(spec, 'multi-user.target'),
    '',
  ].join('\n');
}
