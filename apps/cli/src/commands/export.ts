import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import type { AppSpec } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, printWarnings } from '../context.js';
import type { ExportFile, ExportOptions, FileSecrets } from '../export/export-file.js';
import { type ExportTarget, LossyReport } from '../export/lossy-report.js';
import { argumentError, usageError } from '../parse-argv.js';

const TARGETS: readonly ExportTarget[] = ['systemd', 'compose', 'kubernetes'];
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `velos export systemd|compose|kubernetes <config>`: translates a config file (or, `--running`, the
 * apps the daemon runs) into the target's files, with what did not carry over in their header and on
 * stderr; `--out dir` writes them.
 */
export async function runExport(ctx: CommandContext, input: CommandInput): Promise<void> {
  const [targetArg = '', configArg = ''] = input.args;
  const target = TARGETS.find((t) => t === targetArg.toLowerCase());
  if (target === undefined) {
    throw usageError(`unknown export target "${targetArg}" (expected ${TARGETS.join(', ')})`, 'export');
  }
  const isRunning = input.options.running === true;
  const options = exportOptions(target, input, configArg, isRunning);
  const perCpu: string[] = [];
  const running = isRunning ? await (await import('../export/running-specs.js')).loadRunningSpecs(ctx) : null;
  const specs =
    running?.specs ??
    (await loadSpecs(resolve(configArg), stringOption(input, 'env'), (names) => perCpu.push(...names)));
  const { checkTargetNames } = await import('../export/target-names.js');
  checkTargetNames(specs, target);
  // every app is translated before an error, so that it names all the lossy options at once
  const report = new LossyReport(target, input.options.lossy === true, true);
  for (const spec of specs.filter((s) => perCpu.includes(s.name))) {
    report.note(
      spec.name,
      'instances',
      `one per CPU ("max", 0 or -n) is ${spec.instances} here, the CPUs of the machine that exports, whatever the target has`,
      'set the count the target needs (instances = 4), or export on a machine like it',
    );
  }
  for (const app of running?.stopped ?? []) {
    report.note(
      app,
      'status',
      'stopped in the daemon: exported as autostart = false, as for an app added stopped',
      'start it on the target by hand, or velos start it before the export',
    );
  }
  (await import('../export/missing-apps.js')).reportMissingApps(specs, report);
  const rendered = await render(target, specs, report, options);
  report.throwIfLossy();
  const { commandSecretOptions } = await import('../export/secret-env.js');
  const inCommands = specs.flatMap((spec) => {
    const keys = commandSecretOptions(spec, target);
    return keys.length === 0 ? [] : [{ app: spec.name, keys, isMoved: false, isCommand: true }];
  });
  const files = withHeader(withCommandSecrets(rendered, inCommands), report, target, options);
  const out = stringOption(input, 'out');
  // written before the notes are printed: an --out that cannot be written is the one line printed
  // (a file that holds a value that looks secret is its owner's only, also when it was there before)
  const written =
    out === undefined ? [] : (await import('../export/write-out.js')).writeExportFiles(out, files);
  const stderrLines = [...secretLines(files, target), ...report.stderrLines()];
  for (const line of stderrLines) process.stderr.write(`${line}\n`);
  if (out === undefined) {
    const isMany = files.length > 1;
    ctx.print(files.map((file) => (isMany ? `### ${file.name}\n${file.text}` : file.text)).join('\n'));
    return;
  }
  for (const path of written) ctx.print(`wrote ${path}`);
}

/**
 * Marks the files that write the commands of apps whose command or probes hold a value that looks
 * secret (a unit of the app; compose.yaml, kubernetes.yaml), so that `--out` makes them 0600 and a
 * warning names the options. An env file or the Secrets, which hold no command, are left as they are.
 */
function withCommandSecrets(files: ExportFile[], inCommands: FileSecrets[]): ExportFile[] {
  if (inCommands.length === 0) return files;
  return files.map((file) => {
    if (file.secrets?.some((secret) => secret.isMoved)) return file;
    const own = inCommands.filter((secret) => file.app === undefined || file.app === secret.app);
    return own.length === 0 ? file : { ...file, secrets: [...(file.secrets ?? []), ...own] };
  });
}

/** Where each target keeps a secret out of its files, for the warning. */
const SECRET_ADVICE: Record<ExportTarget, string> = {
  systemd: 'an EnvironmentFile= of mode 0600',
  compose: 'an env_file or Compose secrets',
  kubernetes: 'a Secret (env valueFrom.secretKeyRef)',
};

/** Why a value that looks secret stayed in the target's main files. */
const KEPT_REASON: Record<ExportTarget, string> = {
  systemd: 'a quote or line break in a value keeps it out of an env file',
  compose: 'a quote or line break in a value keeps it out of an env file',
  kubernetes: 'a name with other characters than letters, digits, -, _ and . cannot be a Secret key',
};

/**
 * What became of the env values that look secret (the ones `velos env` masks), one line per app and
 * file: moved into a file of their own (a note: keep it out of version control), or written inline
 * because the target's file cannot carry the value otherwise (a warning, with where to move it).
 */
function secretLines(files: ExportFile[], target: ExportTarget): string[] {
  const lines: string[] = [];
  const warned = new Set<string>();
  for (const file of files) {
    for (const { app, keys, isMoved, isCommand } of file.secrets ?? []) {
      const values = keys.length > 1 ? 'values look' : 'value looks';
      if (isCommand) {
        if (warned.has(`${app}\0command`)) continue;
        warned.add(`${app}\0command`);
        lines.push(
          `velos export: warning: ${app}: ${keys.join(', ')}: a value looks secret (a secret flag's value, a token, a URL's password) and is written into the files as it is (mode 0600 with --out); give it to the app in env instead, which goes to ${SECRET_ADVICE[target]}`,
        );
      } else if (isMoved) {
        lines.push(
          `velos export: note: ${app}: env ${keys.join(', ')}: the ${values} secret: written to ${file.name} (mode 0600 with --out), not beside the rest; keep it out of version control`,
        );
      } else if (!warned.has(app)) {
        warned.add(app);
        lines.push(
          `velos export: warning: ${app}: env ${keys.join(', ')}: the ${values} secret and ${keys.length > 1 ? 'are' : 'is'} written into the files as ${keys.length > 1 ? 'they are' : 'it is'} (mode 0600 with --out; ${KEPT_REASON[target]}); move ${keys.length > 1 ? 'them' : 'it'} to ${SECRET_ADVICE[target]}`,
        );
      }
    }
  }
  return lines;
}

/**
 * The apps of a config file as `velos start` reads them: a JavaScript process file (PM2's
 * ecosystem.config.js) runs here, in the CLI, with the same loader; the warnings of a PM2 file
 * (unknown or ignored options) go to stderr as `start` prints them. Only each app's own env counts.
 */
async function loadSpecs(
  path: string,
  profile: string | undefined,
  perCpu: (names: string[]) => void,
): Promise<AppSpec[]> {
  const config = await import('@velos/core/config');
  const { isScriptConfig, loadEcosystemScript, perCpuNames } = await import('../pm2/ecosystem-file.js');
  const options = {
    baseEnv: {},
    cpuCount: availableParallelism(),
    ...(profile === undefined ? {} : { envProfile: profile }),
    onWarning: (message: string) => printWarnings([message]),
  };
  if (isScriptConfig(path)) return loadEcosystemScript(path, options, config, perCpu);
  const specs = await config.loadConfigFile(path, options);
  // read again with 16 CPUs more (a file, no code run): the apps whose count follows the CPUs differ
  const again = await config.loadConfigFile(path, {
    ...options,
    cpuCount: options.cpuCount + 16,
    onWarning: () => {},
  });
  perCpu(perCpuNames(specs, again));
  return specs;
}

async function render(
  target: ExportTarget,
  specs: AppSpec[],
  report: LossyReport,
  options: ExportOptions,
): Promise<ExportFile[]> {
  if (target === 'systemd')
    return (await import('../export/systemd.js')).exportSystemd(specs, report, options);
  if (target === 'compose')
    return (await import('../export/compose.js')).exportCompose(specs, report, options);
  return (await import('../export/kubernetes.js')).exportKubernetes(specs, report, options);
}

function exportOptions(
  target: ExportTarget,
  input: CommandInput,
  config: string,
  isRunning: boolean,
): ExportOptions {
  if (isRunning && config !== '') throw usageError('give a config file or --running, not both', 'export');
  if (!isRunning && config === '') {
    throw usageError(
      'velos export needs <systemd|compose|kubernetes> <config>, or --running for the apps the daemon runs',
      'export',
    );
  }
  if (isRunning && stringOption(input, 'env') !== undefined)
    throw usageError("--env selects a config file's env profile: not with --running", 'export');
  const image = stringOption(input, 'image');
  const build = stringOption(input, 'build');
  const namespace = stringOption(input, 'namespace');
  const refuse = (flag: string, where: string) => {
    throw usageError(`--${flag} applies to ${where} only`, 'export');
  };
  if (target === 'systemd' && image !== undefined) refuse('image', 'compose and kubernetes');
  if (target !== 'compose' && build !== undefined) refuse('build', 'compose');
  if (target !== 'kubernetes' && namespace !== undefined) refuse('namespace', 'kubernetes');
  if (image !== undefined && build !== undefined)
    throw usageError('give --image or --build, not both', 'export');
  if (namespace !== undefined && !K8S_NAME.test(namespace)) {
    throw argumentError(
      `--namespace: expected a Kubernetes name (lowercase letters, digits and -), got "${namespace}"`,
    );
  }
  return {
    source: isRunning ? '--running' : basename(config),
    ...(isRunning ? { origin: 'the apps the daemon runs' } : {}),
    ...(image === undefined ? {} : { image }),
    ...(build === undefined ? {} : { build: resolve(build) }),
    ...(namespace === undefined ? {} : { namespace }),
  };
}

/** Every file starts with where it came from and what did not carry over. */
function withHeader(
  files: ExportFile[],
  report: LossyReport,
  target: ExportTarget,
  options: ExportOptions,
): ExportFile[] {
  const header = [
    `# Exported from ${options.origin ?? options.source} by \`velos export ${target}\` (docs/beyond-one-machine.md).`,
    "# Only each app's own env is exported, not the environment `velos start` would inherit.",
  ];
  return files.map((file) => {
    // a file of secret values (an env file, the Secrets) says where it came from, not the apps' losses
    if (file.secrets?.some((secret) => secret.isMoved))
      return { ...file, text: `${header[0]}\n${file.text}` };
    const losses = report.commentLines(file.app === undefined ? undefined : [file.app]);
    return { ...file, text: [...header, ...losses, file.text].join('\n') };
  });
}

function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? value : undefined;
}
