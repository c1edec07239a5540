import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type AppSpec, maskEnv } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, printWarnings } from '../context.js';
import type { ExportFile, ExportOptions } from '../export/export-file.js';
import { type ExportTarget, LossyReport } from '../export/lossy-report.js';
import { argumentError, usageError } from '../parse-argv.js';

const TARGETS: readonly ExportTarget[] = ['systemd', 'compose', 'kubernetes'];
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `velos export systemd|compose|kubernetes <config>`: translates a config file into the target's
 * files, with what did not carry over in their header and on stderr; `--out dir` writes them.
 */
export async function runExport(ctx: CommandContext, input: CommandInput): Promise<void> {
  const [targetArg = '', configArg = ''] = input.args;
  const target = TARGETS.find((t) => t === targetArg.toLowerCase());
  if (target === undefined) {
    throw usageError(`unknown export target "${targetArg}" (expected ${TARGETS.join(', ')})`, 'export');
  }
  const options = exportOptions(target, input, configArg);
  const specs = await loadSpecs(resolve(configArg), stringOption(input, 'env'));
  const { checkTargetNames } = await import('../export/target-names.js');
  checkTargetNames(specs, target);
  const report = new LossyReport(target, input.options.lossy === true);
  const files = withHeader(await render(target, specs, report, options), report, target, options);
  const secrets = secretKeysOf(specs);
  const stderrLines = [...secretWarnings(secrets, target), ...report.stderrLines()];
  for (const line of stderrLines) process.stderr.write(`${line}\n`);
  const out = stringOption(input, 'out');
  if (out === undefined) {
    const isMany = files.length > 1;
    ctx.print(files.map((file) => (isMany ? `### ${file.name}\n${file.text}` : file.text)).join('\n'));
    return;
  }
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const path = join(dir, file.name);
    writeFileSync(path, file.text);
    // a file that holds a value that looks secret is its owner's only (also when it was there before)
    const holdsSecret = file.app === undefined ? secrets.size > 0 : secrets.has(file.app);
    if (holdsSecret) chmodSync(path, 0o600);
    ctx.print(`wrote ${path}`);
  }
}

/** Where each target keeps a secret out of its files, for the warning. */
const SECRET_ADVICE: Record<ExportTarget, string> = {
  systemd: 'an EnvironmentFile= of mode 0600',
  compose: 'an env_file or Compose secrets',
  kubernetes: 'a Secret (env valueFrom.secretKeyRef)',
};

/** The env variables of each app whose values look secret (the ones `velos env` masks), by app. */
function secretKeysOf(specs: AppSpec[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const spec of specs) {
    const masked = maskEnv(spec.env);
    const keys = Object.keys(spec.env).filter((key) => masked[key] !== spec.env[key]);
    if (keys.length > 0) found.set(spec.name, keys);
  }
  return found;
}

/** One warning per app whose env looks secret: the files hold the values as they are. */
function secretWarnings(secrets: Map<string, string[]>, target: ExportTarget): string[] {
  return [...secrets].map(
    ([app, keys]) =>
      `velos export: warning: ${app}: env ${keys.join(', ')}: the value${keys.length > 1 ? 's look' : ' looks'} secret and ${keys.length > 1 ? 'are' : 'is'} written into the files as ${keys.length > 1 ? 'they are' : 'it is'} (mode 0600 with --out); move ${keys.length > 1 ? 'them' : 'it'} to ${SECRET_ADVICE[target]}`,
  );
}

/**
 * The apps of a config file as `velos start` reads them: a JavaScript process file (PM2's
 * ecosystem.config.js) runs here, in the CLI, with the same loader; the warnings of a PM2 file
 * (unknown or ignored options) go to stderr as `start` prints them. Only each app's own env counts.
 */
async function loadSpecs(path: string, profile: string | undefined): Promise<AppSpec[]> {
  const config = await import('@velos/core/config');
  const { isScriptConfig, loadEcosystemScript } = await import('../pm2/ecosystem-file.js');
  const options = {
    baseEnv: {},
    cpuCount: availableParallelism(),
    ...(profile === undefined ? {} : { envProfile: profile }),
    onWarning: (message: string) => printWarnings([message]),
  };
  return isScriptConfig(path)
    ? loadEcosystemScript(path, options, config)
    : config.loadConfigFile(path, options);
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

function exportOptions(target: ExportTarget, input: CommandInput, config: string): ExportOptions {
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
    source: basename(config),
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
    `# Exported from ${options.source} by \`velos export ${target}\` (docs/beyond-one-machine.md).`,
    "# Only each app's own env is exported, not the environment `velos start` would inherit.",
  ];
  return files.map((file) => {
    const losses = report.commentLines(file.app === undefined ? undefined : [file.app]);
    return { ...file, text: [...header, ...losses, file.text].join('\n') };
  });
}

function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? value : undefined;
}
