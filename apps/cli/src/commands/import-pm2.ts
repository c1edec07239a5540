import { readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type AppSpec, ErrorCodes, maskSecrets, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, printWarnings } from '../context.js';
import { argumentError } from '../parse-argv.js';
import { type ImportedApp, mapPm2Dump, pm2ModuleNames } from '../pm2/dump-mapping.js';
import { ensureLogDirs } from '../pm2/ecosystem-file.js';
import { NO_MODULES } from '../pm2/pm2-only-commands.js';
import { printProcesses } from './print-processes.js';
import { spawnFailure } from './start-failures.js';

/**
 * `velos import pm2 [dump file]`: reads a PM2 dump (`$PM2_HOME/dump.pm2`, default `~/.pm2/dump.pm2`),
 * starts the same apps in Velos (apps PM2 had stopped are added stopped, never run; names Velos already has are
 * skipped), and prints what each app's PM2 fields became and which PM2 options were left out. An app
 * the daemon cannot spawn (its script, interpreter or cwd gone) stays listed errored and the command
 * exits 1 naming it with the reason, as `velos start` does. A dump of no apps imports nothing, exit 0.
 */
export async function runImport(ctx: CommandContext, input: CommandInput): Promise<void> {
  const [source, fileArg] = input.args;
  if (source !== 'pm2') {
    throw argumentError(`velos import: unknown source "${source}" (expected pm2)`);
  }
  const file = resolve(fileArg ?? join(process.env.PM2_HOME ?? join(homedir(), '.pm2'), 'dump.pm2'));
  const dump = readDump(file);
  const imported = mapPm2Dump(dump, file);
  const label = basename(file);
  // a `pm2 jlist` lists PM2's modules (pm2-logrotate), which `pm2 save` leaves out: none is an app here
  const modules = pm2ModuleNames(dump);
  if (modules.length > 0)
    printWarnings([
      `${label}: PM2 module${modules.length > 1 ? 's' : ''} not imported: ${modules.join(', ')} (${NO_MODULES})`,
    ]);
  // as PM2's resurrect of an empty dump: nothing to start is no error (a dump saved with no app running)
  if (imported.length === 0) {
    if (ctx.mode !== 'text' || input.options['dry-run']) ctx.printJson([]);
    else ctx.print(`${label}: the dump holds no apps, nothing to import`);
    return;
  }
  refuseClusterAccounts(imported, label);
  const config = await import('@velos/core/config');
  const specs = config.validateConfig(
    imported.map((entry) => entry.app),
    label,
    {
      baseDir: process.cwd(),
      baseEnv: definedEnv(process.env),
      cpuCount: availableParallelism(),
      dialect: 'pm2',
      onWarning: (message) => printWarnings([message]),
    },
  );
  if (input.options['dry-run']) {
    ctx.printJson(report(imported, [], input));
    return;
  }
  const client = await ctx.client();
  const known = new Set((await client.list()).map((p) => p.name));
  // an app PM2 had stopped is added stopped, never run (it ran until the stop came): PM2's resurrect
  // does not run it either, and it may be a one-off script (a migration, a mailing) stopped on purpose
  const stopped = new Set(imported.filter((entry) => entry.wasStopped).map((entry) => entry.name));
  const fresh = specs
    .filter((spec: AppSpec) => !known.has(spec.name))
    .map((spec): AppSpec => (stopped.has(spec.name) ? { ...spec, autostart: false as const } : spec));
  const skipped = specs.filter((spec) => known.has(spec.name)).map((spec) => spec.name);
  ensureLogDirs(fresh);
  if (fresh.length > 0) await client.start(fresh);
  for (const entry of imported) {
    if (known.has(entry.name) || entry.wasStopped) continue;
    // autostart: false added it stopped; PM2 ran it (started by name since), so it runs here too
    if (entry.app.autostart === false) await client.restart(entry.name);
  }
  const listed = await client.list();
  const failure = await spawnFailure(client, listed, new Set(fresh.map((spec) => spec.name)));
  if (ctx.mode !== 'text') ctx.printJson(report(imported, skipped, input));
  else {
    for (const entry of imported) ctx.print(describeEntry(entry, skipped.includes(entry.name)));
    printProcesses(ctx, listed);
  }
  if (failure) throw failure;
}

/**
 * PM2 runs a cluster app as another user (`uid`, `gid`); Velos runs a cluster app as the daemon's user
 * only. Such an app is not imported as root: the import is refused, nothing started, saying what to edit.
 */
function refuseClusterAccounts(imported: readonly ImportedApp[], label: string): void {
  const apps = imported.filter(
    (entry) =>
      entry.app.exec_mode === 'cluster' && (entry.app.uid !== undefined || entry.app.gid !== undefined),
  );
  if (apps.length === 0) return;
  const named = apps.map(
    (entry) => `${entry.name} (uid ${String(entry.app.uid ?? '-')}, gid ${String(entry.app.gid ?? '-')})`,
  );
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${label}: PM2 ran ${named.join(', ')} in cluster mode as another user, and Velos runs a cluster app as the daemon's user only (uid and gid are for fork mode); nothing was imported: in the dump, set its entries' "exec_mode" to "fork_mode" or remove their "uid" and "gid", then import again`,
  );
}

function readDump(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new VelosError(
      ErrorCodes.CONFIG_NOT_FOUND,
      `cannot read the PM2 dump ${file} (run pm2 save first)`,
      {
        cause,
      },
    );
  }
  let dump: unknown;
  try {
    dump = JSON.parse(text);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${basename(file)}: not a PM2 dump (not valid JSON: ${why})`,
      {
        cause,
      },
    );
  }
  if (!Array.isArray(dump)) {
    throw new VelosError(
      ErrorCodes.INVALID_CONFIG,
      `${basename(file)}: not a PM2 dump (expected a JSON array of processes)`,
    );
  }
  return dump;
}

function describeEntry(entry: ImportedApp, isSkipped: boolean): string {
  if (isSkipped) return `${entry.name}: skipped (Velos already has an app of this name)`;
  const mapped = Object.entries(entry.mapped)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  const lines = [`${entry.name}${entry.wasStopped ? ' (stopped, as in PM2)' : ''}: ${mapped}`];
  if (entry.envCount > 0) lines.push(`  env: ${entry.envCount} variables`);
  if (entry.ignored.length > 0) lines.push(`  ignored: ${entry.ignored.join(', ')}`);
  return lines.join('\n');
}

function report(imported: ImportedApp[], skipped: string[], input: CommandInput): unknown {
  return imported.map((entry) => ({
    name: entry.name,
    mapped: entry.mapped,
    ignored: entry.ignored,
    env: entry.envCount,
    stopped: entry.wasStopped,
    ...(skipped.includes(entry.name) ? { skipped: true } : {}),
    // the env of the dump, secret-looking values as `****` unless --show-secrets
    ...(input.options['dry-run']
      ? { app: input.options['show-secrets'] === true ? entry.app : maskSecrets(entry.app) }
      : {}),
  }));
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
