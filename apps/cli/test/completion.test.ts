import { describe, expect, it, vi } from 'vitest';
import type { ArgCompletion } from '../src/command-spec.js';
import { COMMANDS } from '../src/command-table.js';
import { completeWords } from '../src/completion/complete-words.js';
import { COMPLETION_SHELLS, completionScript } from '../src/completion/shell-scripts.js';

// what loaded the client's connection (and its MessagePack codec): a Tab that asks the daemon nothing must not
const clientLoads: string[] = [];
const requests: { home: string; cmd: string }[] = [];
vi.mock('@velos/client/quick', () => {
  clientLoads.push('@velos/client/quick');
  return {
    connectDaemon: async (home: string, launcher: unknown) => {
      // never started for a Tab
      expect(launcher).toBe(false);
      return {
        started: false,
        connection: {
          request: async (cmd: string) => {
            requests.push({ home, cmd });
            return { processes: [{ name: 'api', namespace: 'default', type: 'service' }] };
          },
          close: () => {},
        },
      };
    },
  };
});

/** The answer for the last word of `line` (the command line after `velos`; a trailing space starts a new word). */
function complete(line: string) {
  const words = line.split(' ');
  return completeWords(COMMANDS, words, words.length - 1);
}

function words(line: string): string[] {
  const answer = complete(line);
  if (answer.kind === 'files' || answer.kind === 'config-keys') {
    throw new Error(`"${line}" completes ${answer.kind === 'files' ? 'file names' : 'config keys'}`);
  }
  return answer.words;
}

describe('completeWords (velos __complete, the completion scripts ask it)', () => {
  it('completes command names first, hidden ones left out, and `help <command>`', () => {
    const first = words('');
    expect(first).toEqual(expect.arrayContaining(['start', 'restart', 'logs', 'completion', 'help']));
    expect(first).toHaveLength(COMMANDS.filter((command) => !command.hidden).length + 1);
    expect(words('help ')).toContain('reloadLogs');
    expect(words('-')).toEqual(['--help', '--version', '--silent', '--no-color']);
  });

  it("completes a command's options, and a file name for an option's value", () => {
    expect(words('restart api -')).toEqual(
      expect.arrayContaining(['--update-env', '--json', '--ai', '--help']),
    );
    // a flag Velos takes from PM2 and ignores is not offered
    expect(words('start app.js --')).not.toContain('--log-type');
    expect(complete('start app.js --cwd ')).toEqual({ kind: 'files' });
    expect(complete('start --cwd=/srv ')).toEqual({
      kind: 'names',
      source: 'target',
      words: [],
      withFiles: true,
    });
    expect(complete('start app.js --name ')).toEqual({ kind: 'files' });
    // a boolean flag takes no value: the next word is a positional again
    expect(complete('restart --update-env ')).toEqual({ kind: 'names', source: 'target', words: [] });
  });

  it('asks the daemon for names by what the argument is, through aliases and global flags', () => {
    expect(complete('restart ')).toEqual({ kind: 'names', source: 'target', words: [] });
    expect(complete('rm api ')).toEqual({ kind: 'names', source: 'target', words: [] });
    expect(complete('--no-color stop -s ')).toEqual({ kind: 'names', source: 'target', words: [] });
    expect(complete('scale ')).toEqual({ kind: 'names', source: 'app', words: [] });
    expect(complete('trigger nightly ')).toEqual({ kind: 'names', source: 'job', words: [] });
    expect(complete('signal SIGUSR2 ')).toEqual({ kind: 'names', source: 'target', words: [] });
    expect(words('signal ')).toContain('SIGUSR2');
  });

  it('completes subcommands, then what each takes', () => {
    expect(words('config ')).toEqual(['validate', 'reload', 'show', 'set', 'unset']);
    expect(complete('config show ')).toEqual({ kind: 'names', source: 'app', words: [] });
    expect(complete('config validate ')).toEqual({ kind: 'files' });
    expect(complete('config set api ')).toEqual({ kind: 'config-keys', withValue: true });
    expect(complete('config set api watch=true ')).toEqual({ kind: 'config-keys', withValue: true });
    // unset takes keys without a value (`cron_restart`, not the `cron_restart=` of set), each slot after the app
    expect(complete('config unset ')).toEqual({ kind: 'names', source: 'app', words: [] });
    expect(complete('config unset api ')).toEqual({ kind: 'config-keys', withValue: false });
    expect(complete('config unset api watch ')).toEqual({ kind: 'config-keys', withValue: false });
    // a value: nothing (zsh and fish keep `key=value` whole; bash splits it at `=`)
    expect(words('config set api max_memory=2')).toEqual([]);
    expect(words('config set api max_memory = ')).toEqual([]);
    expect(complete('start app.js --cwd = ')).toEqual({ kind: 'files' });
    expect(complete('alerts remove ')).toEqual({ kind: 'names', source: 'rule', words: [] });
    expect(complete('components remove ')).toEqual({ kind: 'names', source: 'component', words: [] });
    // events: `emit` or a target in the same place
    expect(complete('events ')).toEqual({ kind: 'names', source: 'target', words: ['emit'] });
    expect(words('events emit ')).toEqual([]);
  });

  it('completes fixed words and files, and nothing past the last argument or after --', () => {
    expect(words('export ')).toEqual(['systemd', 'compose', 'kubernetes']);
    expect(complete('export systemd ')).toEqual({ kind: 'files' });
    expect(words('startup ')).toEqual(['systemd', 'launchd']);
    expect(words('completion ')).toEqual(['bash', 'zsh', 'fish']);
    // a script or an app started before (velos start api starts it again)
    expect(complete('start ')).toEqual({ kind: 'names', source: 'target', words: [], withFiles: true });
    expect(words('describe api ')).toEqual([]);
    expect(words('unknown ')).toEqual([]);
    // after -- the words are the app's: files for start (it takes them), nothing for stop
    expect(complete('start app.js -- ')).toEqual({ kind: 'files' });
    expect(words('stop api -- ')).toEqual([]);
  });
});

describe('the command table and the completion scripts', () => {
  it('says what the arguments of every command that takes any complete to, in words its usage shows', () => {
    for (const command of COMMANDS.filter((c) => !c.hidden && c.maxArgs > 0)) {
      expect(command.completes, `velos ${command.name}: completes`).toBeDefined();
      const usage = command.argsUsage ?? '';
      const completes = command.completes!;
      const slots: ArgCompletion[] = Array.isArray(completes)
        ? [...completes]
        : Object.values(completes as Record<string, ArgCompletion[]>).flat();
      const fixed = slots.filter((slot): slot is readonly string[] => typeof slot !== 'string').flat();
      const subcommands = Array.isArray(completes) ? [] : Object.keys(completes).filter((key) => key !== '*');
      for (const word of [...fixed, ...subcommands]) {
        expect(usage, `velos ${command.name}: "${word}" in its usage`).toMatch(new RegExp(`\\b${word}\\b`));
      }
    }
  });

  it('writes a script for bash, zsh and fish that runs velos __complete', () => {
    for (const shell of COMPLETION_SHELLS) expect(completionScript(shell)).toContain('velos __complete');
  });
});

describe('velos __complete', () => {
  it('loads the client only for the names of a running daemon, not for command words or options', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    try {
      const { runComplete } = await import('../src/commands/completion.js');
      await runComplete(['0', 'st']);
      await runComplete(['1', 'stop', '--']);
      expect(clientLoads).toEqual([]);
      expect(printed.join('')).toContain('stop\n');
      await runComplete(['1', 'stop', '']);
      expect(clientLoads).toEqual(['@velos/client/quick']);
      expect(requests.map((request) => request.cmd)).toEqual(['list']);
      expect(printed.at(-1)).toBe('api\nall\n');
      // config keys come from the config schema: with = for set, bare for unset (less script: required)
      await runComplete(['3', 'config', 'set', 'api', '']);
      const setKeys = printed.at(-1)!.trimEnd().split('\n');
      expect(setKeys).toEqual(expect.arrayContaining(['max_memory=', 'cron_restart=', 'script=', 'env.']));
      await runComplete(['3', 'config', 'unset', 'api', '']);
      const unsetKeys = printed.at(-1)!.trimEnd().split('\n');
      expect(unsetKeys).toEqual(expect.arrayContaining(['max_memory', 'cron_restart', 'watch', 'env.']));
      expect(unsetKeys.filter((key) => key.endsWith('='))).toEqual([]);
      expect(unsetKeys).not.toContain('script');
      expect(unsetKeys).toHaveLength(setKeys.length - 1);
    } finally {
      write.mockRestore();
    }
  });
});
