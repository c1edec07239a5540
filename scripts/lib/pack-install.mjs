// Packs the publishable workspaces with `pnpm pack` (workspace:* becomes the version) and installs the
// tarballs with npm into a directory outside the workspace, as a user's `npm i velos` would. Used by
// `node scripts/pack.mjs`, the pack-install tests (test/pack) and bench/installed-list.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './bootstrap.mjs';

/**
 * @typedef {object} PublishablePackage
 * @property {string} name the npm name
 * @property {string} version
 * @property {string} dir its directory, absolute
 * @property {Record<string, unknown>} manifest its package.json
 */

/** @typedef {{ code: number | null, stdout: string, stderr: string }} RunResult */

/**
 * The workspaces under packages/ and apps/ that are not private, sorted by name.
 * @returns {PublishablePackage[]}
 */
export function publishablePackages() {
  const found = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      const dir = join(root, group, entry.name);
      const file = join(dir, 'package.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      if (manifest.private) continue;
      found.push({ name: manifest.name, version: manifest.version, dir, manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** npm settings kept from the environment: how to reach the registry, never where to install. */
const NETWORK_SETTINGS =
  /^npm_config_(registry|cafile|ca|cert|key|proxy|https_proxy|noproxy|strict_ssl|cache)$/i;

/**
 * The environment for npm and pnpm children without the npm_* / pnpm variables of the command that started
 * this one (`npm test` sets npm_config_local_prefix to the workspace, `pnpm exec` its own): the install must
 * not see the workspace. Registry, proxy and certificate settings stay.
 * @returns {NodeJS.ProcessEnv}
 */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (NETWORK_SETTINGS.test(key) || !/^(npm_|pnpm_|INIT_CWD$)/i.test(key)) env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}

/**
 * Runs a command with captured output; resolves with its exit code and output (never rejects on exit codes).
 * @param {string} file
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<RunResult>}
 */
export function runCaptured(file, args, { cwd = root, env = cleanEnv(), timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const note = timedOut ? `\n${[file, ...args].join(' ')}: killed after ${timeoutMs} ms\n` : '';
      resolve({ code, stdout, stderr: stderr + note });
    });
  });
}

/** The pnpm command line prefix: `pnpm` when it runs, else `npx --yes pnpm@10`. */
function pnpmPrefix() {
  const probe = spawnSync('pnpm', ['--version'], { stdio: 'ignore' });
  return probe.status === 0 ? ['pnpm'] : ['npx', '--yes', 'pnpm@10'];
}

/**
 * Packs every publishable package into `dest` (their dist must be built); returns the tarball paths by name.
 * One `pnpm --filter … pack` for all of them: a pnpm start per package cost more than the packing.
 * @param {string} dest
 * @returns {Promise<Map<string, string>>}
 */
export async function packAll(dest) {
  mkdirSync(dest, { recursive: true });
  const [pnpm, ...pre] = pnpmPrefix();
  const packages = publishablePackages();
  for (const pkg of packages) {
    if (!existsSync(join(pkg.dir, 'dist'))) {
      throw new Error(`${pkg.name}: ${pkg.dir}/dist is missing; run \`pnpm run build\` first`);
    }
  }
  const filters = packages.map((pkg) => `--filter=${pkg.name}`);
  const result = await runCaptured(pnpm, [...pre, ...filters, 'pack', '--pack-destination', dest]);
  if (result.code !== 0) throw new Error(`pnpm pack failed:\n${result.stdout}${result.stderr}`);
  const tarballs = new Map();
  for (const pkg of packages) {
    const tarball = join(dest, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack of ${pkg.name} wrote no ${tarball}`);
    tarballs.set(pkg.name, tarball);
  }
  return tarballs;
}

/**
 * Installs the tarballs with npm into `dir` (created with an empty package.json): no workspace links,
 * dependencies from the registry (or npm's cache).
 * @param {string[]} tarballs
 * @param {string} dir
 * @returns {Promise<RunResult>}
 */
export async function installTarballs(tarballs, dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'velos-pack-check', private: true })}\n`,
  );
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', ...tarballs];
  const result = await runCaptured('npm', args, { cwd: dir });
  if (result.code !== 0)
    throw new Error(`npm install of the tarballs failed:\n${result.stdout}${result.stderr}`);
  return result;
}

/**
 * The publishable packages `name` needs installed: itself and, recursively, the workspace packages among
 * its `dependencies` (what `npm i <name>` would fetch from the registry once they are published).
 * @param {string} name
 * @returns {string[]}
 */
export function runtimeClosure(name) {
  const byName = new Map(publishablePackages().map((pkg) => [pkg.name, pkg]));
  const found = new Set();
  const visit = (current) => {
    if (found.has(current) || !byName.has(current)) return;
    found.add(current);
    for (const dep of Object.keys(byName.get(current).manifest.dependencies ?? {})) visit(dep);
  };
  visit(name);
  return [...found];
}
