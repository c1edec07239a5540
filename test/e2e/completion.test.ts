import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  createHome,
  homeEnv,
  REPO_ROOT,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const hasZsh = hasShell('zsh') && spawnSync('tmux', ['-V']).status === 0;
const hasFish = hasShell('fish');
if (process.env.CI && !(hasZsh && hasFish)) {
  throw new Error('the completion tests need zsh, fish and tmux (apt-get install -y zsh fish tmux)');
}

/** A directory holding a `velos` command (the one under test), put first on PATH as an install would. */
let bin = '';
/** One daemon for the file, with an app in a namespace and a job: the names completion offers. */
let home = '';
/** What the shells get over `homeEnv(home)`: the `velos` command first on PATH. */
let env: Record<string, string> = {};
const tmuxSockets: string[] = [];

beforeAll(async () => {
  bin = mkdtempSync(join(tmpdir(), 'velos-completion-bin-'));
  writeFileSync(join(bin, 'velos'), `#!/bin/sh\nexec '${process.execPath}' '${VELOS_BIN}' "$@"\n`);
  chmodSync(join(bin, 'velos'), 0o755);
  home = createHome();
  env = { PATH: `${bin}:${process.env.PATH}`, TERM: 'xterm-256color' };
  await velosOk(['start', 'fixtures/silent.js', '--name', 'api', '--namespace', 'web'], { home });
  await velosOk(['start', 'fixtures/job-counter.js', '--name', 'nightly', '--every', '1h'], { home });
});

afterEach(() => {
  for (const socket of tmuxSockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server']);
});

afterAll(async () => {
  await cleanupHome(home);
  rmSync(bin, { recursive: true, force: true });
});

/** Runs `script` in `shell` with the test's PATH and home, from the repository root; its stdout lines. */
function runShell(shell: string, args: string[], script: string): string[] {
  const run = spawnSync(shell, [...args, '-c', script], {
    cwd: REPO_ROOT,
    env: homeEnv(home, env),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`${shell} exited ${run.status}: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => line !== '');
}

/** The file each shell's script is kept in, once written by `completionScript`. */
const scriptFiles = new Map<string, string>();

/**
 * A file in `bin` holding what `velos completion <shell>` prints, run once per shell for the file: the
 * completions asked below source it, the same text as `source <(velos completion bash)` sources, without
 * a CLI run (~0.15 s of CPU) per completion. The zsh test sources the command's output itself.
 */
function completionScript(shell: 'bash' | 'fish'): string {
  let file = scriptFiles.get(shell);
  if (file === undefined) {
    const run = spawnSync(join(bin, 'velos'), ['completion', shell], {
      env: homeEnv(home, env),
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (run.status !== 0) throw new Error(`velos completion ${shell} exited ${run.status}: ${run.stderr}`);
    file = join(bin, `velos-completion.${shell}`);
    writeFileSync(file, run.stdout);
    scriptFiles.set(shell, file);
  }
  return file;
}

/** What bash's completion function puts in COMPREPLY for `words` (the cursor on the last one). */
function bashComplete(...words: string[]): string[] {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  return runShell(
    'bash',
    ['--norc', '--noprofile'],
    `source '${completionScript('bash')}'
COMP_WORDS=(velos ${quoted}); COMP_CWORD=${words.length}
_velos_complete
printf '%s\\n' "\${COMPREPLY[@]}"`,
  ).sort();
}

/** What fish offers for the command line `line` (its `complete -C`), descriptions cut off. */
function fishComplete(line: string): string[] {
  return runShell('fish', ['--no-config'], `source '${completionScript('fish')}'; complete -C'${line}'`)
    .map((entry) => entry.split('\t')[0]!)
    .sort();
}

describe('velos completion', () => {
  it('bash: commands, subcommands, the daemon names, options and file names', () => {
    expect(bashComplete('res')).toEqual(['reset', 'restart', 'resurrect']);
    expect(bashComplete('restart', '')).toEqual(['all', 'api', 'nightly', 'web']);
    expect(bashComplete('trigger', '')).toEqual(['nightly']);
    expect(bashComplete('config', 's')).toEqual(['set', 'show']);
    expect(bashComplete('restart', 'api', '--up')).toEqual(['--update-env']);
    expect(bashComplete('start', 'fixtures/sil')).toEqual(['fixtures/silent.js']);
    // start takes an app started before too: its names and the files (apps/ is a directory here)
    expect(bashComplete('start', 'ap')).toEqual(['api', 'apps']);
    expect(bashComplete('config', 'set', 'api', 'max_mem')).toEqual(['max_memory=']);
    // unset takes the key alone
    expect(bashComplete('config', 'unset', 'api', 'max_mem')).toEqual(['max_memory']);
  });

  it('fish: the same from its completion script', () => {
    expect(fishComplete('velos res')).toEqual(['reset', 'restart', 'resurrect']);
    expect(fishComplete('velos stop ')).toEqual(['all', 'api', 'nightly', 'web']);
    expect(fishComplete('velos export ')).toEqual(['compose', 'kubernetes', 'systemd']);
    expect(fishComplete('velos start fixtures/sil')).toEqual(['fixtures/silent.js']);
    expect(fishComplete('velos start ap')).toEqual(['api', 'apps/']);
    expect(fishComplete('velos config set api max_mem')).toEqual(['max_memory=']);
  });

  it.skipIf(!hasZsh)(
    'zsh: Tab in a real terminal (tmux) completes an app name and a subcommand',
    async () => {
      const socket = `velos-completion-${process.pid}-${Date.now()}`;
      tmuxSockets.push(socket);
      const tmux = (...args: string[]) =>
        spawnSync('tmux', ['-L', socket, ...args], { env: homeEnv(home, env), encoding: 'utf8' });
      const started = tmux(
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-x',
        '120',
        '-y',
        '20',
        '-c',
        REPO_ROOT,
        'zsh -f',
      );
      expect(started.status, started.stderr).toBe(0);
      const screen = () => tmux('capture-pane', '-p').stdout;
      // a line that ends with `text` (tmux leaves out the space zsh puts after a completed word)
      const until = (text: string) =>
        waitFor(
          () =>
            screen()
              .split('\n')
              .some((line) => line.trimEnd().endsWith(text)),
          {
            timeoutMs: 20_000,
            message: `a line ending with "${text}" on screen:\n${screen()}`,
          },
        );
      tmux(
        'send-keys',
        'autoload -U compinit && compinit -u && source <(velos completion zsh) && echo loaded-$((1 + 1))',
        'Enter',
      );
      await until('loaded-2');
      tmux('send-keys', 'velos describe ap', 'Tab');
      await until('velos describe api');
      tmux('send-keys', 'C-u', 'velos config sh', 'Tab');
      await until('velos config show');
      // a key: no space after its `=`, the value follows it
      tmux('send-keys', 'C-u', 'velos config set api max_mem', 'Tab');
      await until('velos config set api max_memory=');
      tmux('send-keys', '2G');
      await until('velos config set api max_memory=2G');
      // a file name where start takes a script
      tmux('send-keys', 'C-u', 'velos start fixtures/sil', 'Tab');
      await until('velos start fixtures/silent.js');
    },
  );

  it('never starts a daemon: with none running, names are left out and the fixed words stay', async () => {
    const empty = createHome();
    const noDaemon = await velos(['__complete', '1', 'restart', ''], { home: empty });
    expect([noDaemon.code, noDaemon.stdout, noDaemon.stderr]).toEqual([0, '', '']);
    const subcommands = await velos(['__complete', '1', 'events', ''], { home: empty });
    expect(subcommands.stdout).toBe('emit\n');
    expect(existsSync(join(empty, 'velos.sock'))).toBe(false);
    // answered by the quick bundle (dist/velos-complete.cjs), which keeps its code cache in the home
    expect(existsSync(join(empty, 'cache', 'velos-complete.cjs.v8-cache'))).toBe(true);
    await cleanupHome(empty);
  });

  it('prints the script of $SHELL when no shell is named; zsh without compinit says what to run', async () => {
    const fromShell = await velos(['completion'], { home, env: { SHELL: '/usr/bin/fish' } });
    expect(fromShell.code).toBe(0);
    expect(fromShell.stdout).toContain('complete -c velos');
    const unknown = await velos(['completion'], { home, env: { SHELL: '/bin/tcsh' } });
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'velos: velos completion: no script for your shell (tcsh, from $SHELL); name one of bash, zsh, fish\n',
    ]);
    if (!hasZsh) return;
    const early = spawnSync('zsh', ['-f', '-c', 'source <(velos completion zsh)'], {
      env: homeEnv(home, env),
      encoding: 'utf8',
    });
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/compdef is not defined: run "autoload -Uz compinit && compinit" first/);
  });

  it('refuses an unknown shell with one line and exit 2', async () => {
    const refused = await velos(['completion', 'tcsh'], { home });
    expect([refused.code, refused.stderr]).toEqual([
      2,
      'velos: unknown shell "tcsh": velos completion takes bash, zsh, fish\n',
    ]);
  });
});
