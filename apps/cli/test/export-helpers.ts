import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppSpec } from '@velos/core';
import { loadConfigFile } from '@velos/core/config';
import { BIN, type Run, runTool, type Scratch } from './startup-helpers.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

/** Every config file of the fixtures (fixtures/examples/*, fixtures/demo/*): each must export. */
export const FIXTURE_CONFIGS: string[] = ['examples', 'demo'].flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((name) => /\.(toml|ya?ml|json)$/.test(name))
    .map((name) => join(FIXTURES, dir, name)),
);

/**
 * The VELOS_HOME of every `velos export` a test runs (`EXPORT_ENV`): `apps/cli/node_modules/.velos-test/
 * export-home`, holding only `cache/`, kept between runs as a build cache is (a temporary one outlived
 * vitest's workers, which end without their 'exit' listeners). An export reads nothing of its home, but
 * bin/velos.js keeps V8's code cache of the CLI's files in `<home>/cache/cli` when `cache/` is there
 * (Node 20; keyed by each file's content, written atomically, a stale one pruned): every export after
 * the first compiles the CLI from that cache instead of from source, ~80 ms less CPU each (the inherited
 * home, which did not exist, had it compile all of it every time).
 */
const EXPORT_HOME = fileURLToPath(new URL('../node_modules/.velos-test/export-home/', import.meta.url));
mkdirSync(join(EXPORT_HOME, 'cache'), { recursive: true, mode: 0o700 });

/** The env of a `velos export` run: its home is `EXPORT_HOME`. */
export const EXPORT_ENV: NodeJS.ProcessEnv = { VELOS_HOME: EXPORT_HOME };

/** The specs `velos export` reads from a config (no inherited env, as the export does). */
export function loadSpecs(config: string): Promise<AppSpec[]> {
  return loadConfigFile(config, { baseEnv: {}, cpuCount: availableParallelism() });
}

/**
 * The env an export writes for `spec`: its own, and `PYTHONUNBUFFERED=1` for a Python script (the
 * fixtures' Python apps are `.py` files that do not set it), as the daemon gives it.
 */
export function unitEnv(spec: AppSpec): Record<string, string> {
  return { ...(spec.ownEnv ?? {}), ...(spec.script.endsWith('.py') ? { PYTHONUNBUFFERED: '1' } : {}) };
}

/** What one `velos export` run printed and wrote. */
export interface ExportRun extends Run {
  dir: string;
  /** Written files by name. */
  files: Map<string, string>;
}

/** Runs `velos export <target> <config> --out <tmp> …extra` to its end (with `EXPORT_ENV`). */
export async function runExport(
  scratch: Scratch,
  target: string,
  config: string,
  extra: string[] = [],
): Promise<ExportRun> {
  const dir = join(scratch.dir('velos-export-'), 'out');
  const run = await scratch.run(BIN, ['export', target, config, '--out', dir, ...extra], EXPORT_ENV);
  const files = new Map<string, string>();
  try {
    for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name), 'utf8'));
  } catch {
    // nothing written (an error)
  }
  return { ...run, dir, files };
}

/** `docker-compose -f compose.yaml config …extra` run in `dir`: Compose's own reading of the file an export wrote. */
export function composeConfig(scratch: Scratch, dir: string, extra: string[] = []): Promise<Run> {
  return runTool(
    scratch,
    'docker-compose',
    ['-f', 'compose.yaml', 'config', ...extra],
    dir,
    'docker-compose',
  );
}

/** The `app: option` pairs of the warnings (lossy options) an export printed on stderr, sorted. */
export function warnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('velos export: warning: '))
    .flatMap((line) => {
      const [apps = '', option = ''] = line.slice('velos export: warning: '.length).split(': ');
      return apps.split(', ').map((app) => `${app}: ${option}`);
    })
    .sort();
}

/** The `key=value` lines of one `[section]` of a unit, comments left out. */
export function unitSection(unit: string, name: string): string[] {
  const lines = unit.split('\n');
  const start = lines.indexOf(`[${name}]`);
  if (start === -1) throw new Error(`no [${name}] in:\n${unit}`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('['));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line && !line.startsWith('#'));
}
