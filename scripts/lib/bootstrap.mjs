// Installs the workspace's dependencies and builds every package, with pnpm from PATH or, when
// pnpm is absent, through `npx pnpm@10` (no global install needed). Used by `npm run demo` and `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a command in the repository root with inherited stdio; exits this process when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    console.error(`velos setup: cannot run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0 && !options.allowFailure) {
    console.error(`velos setup: \`${[command, ...args].join(' ')}\` failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  return result.status ?? 1;
}

/** The pnpm command to use: `pnpm` when it runs, else `npx --yes pnpm@10`. */
export function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { cwd: root, stdio: 'ignore' });
  return probe.status === 0 ? ['pnpm'] : ['npx', '--yes', 'pnpm@10'];
}

/** Installs dependencies (frozen lockfile under CI); returns the pnpm command (`pnpmCommand`). */
export function install() {
  const [pnpm, ...pre] = pnpmCommand();
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  if (process.env.CI || !existsSync(join(root, 'node_modules', '.pnpm'))) {
    run(pnpm, [...pre, 'install', ...frozen]);
  } else {
    run(pnpm, [...pre, 'install', '--prefer-offline', '--reporter=silent']);
  }
  return [pnpm, ...pre];
}

/** Installs dependencies (frozen lockfile under CI) and builds all packages with turbo. */
export function installAndBuild() {
  const [pnpm, ...pre] = install();
  run(pnpm, [...pre, 'run', 'build']);
  return [pnpm, ...pre];
}
