import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';
import { isScriptConfig } from '../pm2/ecosystem-file.js';
import { startEnvironment } from './start.js';
import { specsFromConfigFile } from './start-spec.js';

/** What `velos config validate` found in a file that is valid. */
export interface ConfigValidation {
  file: string;
  valid: true;
  /** App names in start order (dependencies first); empty for `$VELOS_HOME/config.toml`. */
  apps: string[];
  alerts: number;
  /** Dependencies on apps the file does not describe: they must run in the daemon when the file starts. */
  external: { app: string; dependsOn: string }[];
}

/**
 * `velos config validate [file]` (CLI-1): checks a config file as `velos start` and `velos config reload`
 * would (schema, env files, alerts, depends_on cycles) without a daemon and without starting anything.
 * Without a file it checks `$VELOS_HOME/config.toml`. An invalid file throws its one-line error (exit 1).
 */
export async function runConfigValidate(
  ctx: CommandContext,
  file: string | undefined,
  profile: string | undefined,
): Promise<void> {
  const config = await import('@velos/core/config');
  const daemonFile = join(ctx.home, 'config.toml');
  const path = file === undefined ? daemonFile : resolve(file);
  if (!existsSync(path)) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      file === undefined ? `no file given and no ${daemonFile}` : `${file}: no such file`,
      { data: { exitCode: 2 } },
    );
  }
  let result: ConfigValidation;
  if (path === daemonFile) {
    await config.loadDaemonConfig(path);
    const alerts = await config.loadConfigAlerts(path);
    result = { file: path, valid: true, apps: [], alerts: alerts?.length ?? 0, external: [] };
  } else {
    if (!config.isConfigFile(path) && !isScriptConfig(path)) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `${basename(path)}: not a config file (expected ${config.CONFIG_EXTENSIONS.join(', ')} or a PM2 process file)`,
        { data: { exitCode: 2 } },
      );
    }
    const where = await startEnvironment(ctx, config);
    const input = { args: [path], options: profile === undefined ? {} : { env: profile }, rest: [] };
    const specs = await specsFromConfigFile(path, input, where, config);
    const alerts = isScriptConfig(path) ? null : await config.loadConfigAlerts(path);
    const { ordered, external } = await checkDependencies(specs).catch((error: unknown) => {
      // the daemon's cycle error names the apps; here it also names the file
      if (error instanceof VelosError)
        throw new VelosError(error.code, `${basename(path)}: ${error.message}`);
      throw error;
    });
    result = { file: path, valid: true, apps: ordered, alerts: alerts?.length ?? 0, external };
  }
  if (ctx.mode !== 'text') ctx.printJson(result);
  else ctx.print(describeValidation(result));
}

/**
 * The file's apps in start order; a cycle among them throws as `velos start` would. A dependency on an
 * app the file does not hold is not an error here (the daemon may run it): it is listed instead.
 */
async function checkDependencies(
  specs: AppSpec[],
): Promise<{ ordered: string[]; external: ConfigValidation['external'] }> {
  const names = new Set(specs.map((spec) => spec.name));
  const external = specs.flatMap((spec) =>
    spec.dependsOn
      .filter((dep) => !names.has(dep.name))
      .map((dep) => ({ app: spec.name, dependsOn: dep.name })),
  );
  const inFile = specs.map((spec) => ({
    ...spec,
    dependsOn: spec.dependsOn.filter((dep) => names.has(dep.name)),
  }));
  const { orderByDependencies } = await import('@velos/supervisor');
  const ordered = orderByDependencies(inFile, (spec) => spec, new Map(), { missing: 'not in this file' });
  return { ordered: ordered.map((spec) => spec.name), external };
}

function describeValidation(result: ConfigValidation): string {
  const label = basename(result.file);
  const alerts = `${result.alerts} alert rule${result.alerts === 1 ? '' : 's'}`;
  if (result.apps.length === 0 && result.external.length === 0) return `${label}: valid (${alerts})`;
  const apps = `${result.apps.length} app${result.apps.length === 1 ? '' : 's'} (${result.apps.join(', ')})`;
  const lines = [`${label}: valid: ${apps}, ${alerts}`];
  for (const { app, dependsOn } of result.external)
    lines.push(
      `  ${app} depends on ${dependsOn}, which this file does not describe: it must run in the daemon`,
    );
  return lines.join('\n');
}
