// PM2, installed into a cached temp prefix and run with its own PM2_HOME.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './exec.mjs';
import { createManagerDriver, RUN_MARKER, toSnakeCaseApp } from './manager-driver.mjs';

/** The PM2 major the harness installs (PM2 6 supports Node 20). */
export const PM2_MAJOR = 6;

/**
 * Installs pm2@6 into `<tmpdir>/velos-bench-pm2-6` unless a matching install is already cached there;
 * resolves with {prefix, bin, version} or rejects with npm's last lines.
 */
export async function installPm2({ log = () => {} } = {}) {
  const prefix = join(tmpdir(), `velos-bench-pm2-${PM2_MAJOR}`);
  const found = readInstalled(prefix);
  if (found) return found;
  mkdirSync(prefix, { recursive: true });
  log(`installing pm2@${PM2_MAJOR} into ${prefix} ...`);
  const result = await runCommand(
    'npm',
    ['install', '--prefix', prefix, `pm2@${PM2_MAJOR}`, '--no-audit', '--no-fund', '--loglevel=error'],
    { timeoutMs: 300_000 },
  );
  const installed = readInstalled(prefix);
  if (result.code !== 0 || !installed) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`npm install pm2@${PM2_MAJOR} failed (exit ${result.code}): ${detail}`);
  }
  return installed;
}

/** A driver for PM2 from an install, with `home` as PM2_HOME. */
export function createPm2Driver({ install, home, runId }) {
  return createManagerDriver({
    name: 'pm2',
    label: 'PM2',
    version: install.version,
    bin: install.bin,
    home,
    runId,
    env: { ...process.env, PM2_HOME: home, [RUN_MARKER]: runId },
    listArgs: ['jlist'],
    pidFile: join(home, 'pm2.pid'),
    outLogPath: (name) => join(home, 'logs', `${name}-out.log`),
    configName: 'ecosystem.json',
    toConfig: (apps) => ({ apps: apps.map(toSnakeCaseApp) }),
    parseList: (stdout) => {
      const start = stdout.indexOf('[');
      if (start < 0) throw new Error(`pm2 jlist printed no JSON: ${stdout.slice(0, 200)}`);
      return JSON.parse(stdout.slice(start)).map((p) => ({
        name: p.name,
        pid: p.pid || null,
        status: p.pm2_env?.status,
        restarts: p.pm2_env?.restart_time ?? 0,
      }));
    },
  });
}

function readInstalled(prefix) {
  const pkgPath = join(prefix, 'node_modules', 'pm2', 'package.json');
  const bin = join(prefix, 'node_modules', 'pm2', 'bin', 'pm2');
  if (!existsSync(pkgPath) || !existsSync(bin)) return null;
  const { version } = JSON.parse(readFileSync(pkgPath, 'utf8'));
  return version.startsWith(`${PM2_MAJOR}.`) ? { prefix, bin, version } : null;
}
