import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeenProcesses } from '@velos/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../../scripts/lib/bootstrap.mjs';
import { cleanEnv, publishablePackages, runCaptured } from '../../scripts/lib/pack-install.mjs';
import { checkConsumer } from './consumer-types.js';
import { isAlive, nativeAddonsOf, stopAll, waitFor } from './processes.js';
import { installedTree } from './tree.js';

// The tarballs as `npm publish` would upload them, installed with npm into an empty directory outside the
// workspace (no workspace links), then used as a user would: the project's one pack and install of every
// package (global-setup.ts).
const work = mkdtempSync(join(tmpdir(), 'velos-pack-'));
let appDir: string;
const home = join(work, 'home');
const env = cleanEnv({ VELOS_HOME: home });
const packages = publishablePackages();
/** Every app pid seen, stopped in teardown even when `velos kill` was never reached. */
const appPids = new SeenProcesses();
const FILES_ALLOWED = new Set(['bin', 'dist', 'README.md', 'LICENSE', 'package.json']);

/**
 * `npx --no <args>` in the install directory (no download: the bins must come from the installed tarballs):
 * once for each bin, as a user first runs it. npx only finds the bin in node_modules/.bin and runs it,
 * after ~0.5 s of loading npm; the other commands run that bin (`installedBin`) or node directly.
 */
async function npx(...args: string[]) {
  const result = await runCaptured('npx', ['--no', '--', ...args], { cwd: appDir, env, timeoutMs: 90_000 });
  // npm's own notices (a newer npm, a config it does not know) are not the command's output
  return { ...result, stderr: result.stderr.replace(/^npm (warn|notice)\b.*\n/gm, '') };
}

/** A bin of the installed tree run directly from node_modules/.bin (what `npx <name>` runs). */
function installedBin(name: string, ...args: string[]) {
  return runCaptured(join(appDir, 'node_modules', '.bin', name), args, {
    cwd: appDir,
    env,
    timeoutMs: 90_000,
  });
}

/** `node <script>` in the install directory: its imports resolve from the installed node_modules. */
function node(script: string) {
  return runCaptured('node', [script], { cwd: appDir, env, timeoutMs: 90_000 });
}

interface ListRow {
  name: string;
  pid: number | null;
  status: string;
}

/** `velos list --json` through the installed bin, polled. */
async function listRows(): Promise<ListRow[]> {
  const result = await installedBin('velos', 'list', '--json');
  return result.code === 0 ? (JSON.parse(result.stdout) as ListRow[]) : [];
}

beforeAll(async () => {
  appDir = await installedTree('all');
});

afterAll(async () => {
  await stopAll(home, appPids);
  rmSync(work, { recursive: true, force: true });
  // the tree is this file's alone: removed here, beside the other files' tests, not at the run's end
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

/** `@velos/core`, `@velos/core/config`…: every entry of every package's `exports`. */
function exportSpecifiers(): string[] {
  return packages.flatMap((pkg) => {
    const exportsMap = (pkg.manifest.exports ?? {}) as Record<string, unknown>;
    return Object.keys(exportsMap).map((key) => (key === '.' ? pkg.name : `${pkg.name}${key.slice(1)}`));
  });
}

describe('the packed packages', () => {
  it('hold only bin, dist, README.md and LICENSE, with every workspace: range resolved', () => {
    expect(packages.map((pkg) => pkg.name)).toContain('velos');
    for (const pkg of packages) {
      const installed = join(appDir, 'node_modules', pkg.name);
      const entries = readdirSync(installed);
      expect(
        entries.filter((entry) => !FILES_ALLOWED.has(entry)),
        pkg.name,
      ).toEqual([]);
      expect(entries, pkg.name).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
      const manifest = readFileSync(join(installed, 'package.json'), 'utf8');
      expect(manifest, pkg.name).not.toContain('workspace:');
    }
  });

  it('load every export from the installed tree (no import of src/ or of a devDependency)', async () => {
    const specifiers = exportSpecifiers();
    expect(specifiers).toContain('@velos/log-engine');
    const script = `for (const s of ${JSON.stringify(specifiers)}) await import(s);\nconsole.log('loaded');\n`;
    writeFileSync(join(appDir, 'load-all.mjs'), script);
    writeFileSync(join(appDir, 'require-app.cjs'), "require('@velos/app');\nconsole.log('required');\n");
    const loaded = await node('load-all.mjs');
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toBe('loaded\n');
    const required = await node('require-app.cjs');
    expect(required.stdout).toBe('required\n');
  });

  it('type every export for a strict TypeScript consumer (NodeNext, ESM and CommonJS), as each module exports it', async () => {
    const specifiers = exportSpecifiers();
    // what each module exports at run time, from the installed tree
    const listing = `for (const s of ${JSON.stringify(specifiers)}) console.log(JSON.stringify([s, Object.keys(await import(s))]));\n`;
    writeFileSync(join(appDir, 'list-exports.mjs'), listing);
    const listed = await node('list-exports.mjs');
    expect(listed.stderr).toBe('');
    const runtime = new Map(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as [string, string[]]),
    );
    writeFileSync(
      join(appDir, 'consumer.mts'),
      `${specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}\nexport const all = [${specifiers.map((_, i) => `m${i}`).join(', ')}];\n`,
    );
    writeFileSync(
      join(appDir, 'consumer.cts'),
      "import app = require('@velos/app');\nexport const counter = app.counter;\n",
    );
    const withTypes = packages.filter((pkg) => pkg.manifest.exports).map((pkg) => pkg.name);
    const types = checkConsumer(
      appDir,
      ['consumer.mts', 'consumer.cts'],
      withTypes,
      join(root, 'node_modules', '@types'),
    );
    expect(types.errors).toEqual([]);
    expect(types.ownFiles).toBeGreaterThan(specifiers.length);
    for (const specifier of specifiers) {
      const typed = new Set(types.exportNames.get(specifier));
      expect(
        runtime.get(specifier)?.filter((name) => !typed.has(name)),
        specifier,
      ).toEqual([]);
    }
    expect(types.exportNames.get('@velos/app')).toContain('counter');
  });
});

describe('the installed velos', () => {
  it('prints its version, as velos-server does', async () => {
    const cli = packages.find((pkg) => pkg.name === 'velos')!;
    const result = await npx('velos', '--version');
    expect(result.stdout).toBe(`${cli.version}\n`);
    expect(result.code).toBe(0);
    const server = await npx('velos-server', '--version');
    expect(server.stdout).toBe(`${cli.version}\n`);
  });

  it('starts an app, lists it, shows its logs and kills the daemon', async () => {
    writeFileSync(
      join(appDir, 'tick.js'),
      "let n = 0;\nsetInterval(() => console.log('pack-check tick ' + n++), 100);\n",
    );
    const started = await installedBin('velos', 'start', 'tick.js', '--name', 'tick');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const online = await waitFor(async () => (await listRows()).find((r) => r.status === 'online' && r.pid));
    appPids.add(online.pid!);
    expect(online.name).toBe('tick');

    const table = await installedBin('velos', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/tick\s+\d+\s+online/);

    const logs = await waitFor(async () => {
      const result = await installedBin('velos', 'logs', 'tick', '--lines', '5');
      return result.stdout.includes('pack-check tick') ? result : undefined;
    });
    expect(logs.code).toBe(0);

    const daemonPid = Number(readFileSync(join(home, 'velos.pid'), 'utf8'));
    // msgpackr's optional native accelerator is installed beside velos by npm; the bundles never load it
    expect(nativeAddonsOf(daemonPid)).toEqual([]);

    const killed = await installedBin('velos', 'kill');
    expect(killed.code).toBe(0);
    await waitFor(() => !isAlive(daemonPid) && !isAlive(online.pid!));
  });

  it('runs velos-server without loading a native addon (npm installs msgpackr-extract beside @velos/core)', async () => {
    const serverHome = join(work, 'server-home');
    const child = spawn(join(appDir, 'node_modules', '.bin', 'velos-server'), ['--port', '0', '--json'], {
      cwd: appDir,
      env: cleanEnv({ VELOS_HOME: serverHome }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('"url"'));
      // it mapped msgpackr-extract's .node file (velos-server's dependencies are not bundled)
      expect(nativeAddonsOf(child.pid!)).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('runs velos-log on a log file', async () => {
    const lines = Array.from(
      { length: 40 },
      (_, i) => `2026-11-22T10:00:${String(i).padStart(2, '0')}Z GET /a/${i} 200`,
    );
    lines.push('2026-11-22T10:00:41Z ERROR db timeout after 30s');
    writeFileSync(join(appDir, 'app.log'), `${lines.join('\n')}\n`);
    const result = await npx('velos-log', 'summarize', 'app.log', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { lines: number };
    expect(summary.lines).toBe(41);
  });

  it('is importable from a plain ESM script: @velos/log-engine', async () => {
    const script = [
      "import { classifyLine, normalizeLine, summarize } from '@velos/log-engine';",
      "const summary = summarize(['INFO up', 'ERROR down', 'GET /users/42 200']);",
      'console.log(JSON.stringify({',
      "  level: classifyLine('Error: connect ECONNREFUSED 127.0.0.1:5432'),",
      "  normalized: normalizeLine('from 10.0.0.7 took 35ms'),",
      '  lines: summary.lines,',
      '  errors: summary.levels.error,',
      '}));',
    ].join('\n');
    writeFileSync(join(appDir, 'use-log-engine.mjs'), `${script}\n`);
    const result = await node('use-log-engine.mjs');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      level: 'error',
      normalized: 'from <ip> took <dur>',
      lines: 3,
      errors: 1,
    });
    expect(existsSync(join(appDir, 'node_modules', '@velos', 'log-engine', 'dist', 'index.js'))).toBe(true);
  });
});
