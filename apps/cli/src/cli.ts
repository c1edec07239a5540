import { fileURLToPath } from 'node:url';
import { VELOS_VERSION } from '@velos/core';
import { findCommand, suggestCommand } from './command-table.js';
import { createContext, type OutputMode } from './context.js';
import { renderCommandHelp, renderGlobalHelp, renderVersionHelp } from './help.js';
import { joinedSubcommand, parseCommandArgs, usageError } from './parse-argv.js';
import { isSilenced, takeGlobalFlags } from './pm2/global-flags.js';
import { pm2OnlyCommandHint } from './pm2/pm2-only-commands.js';
import { exitQuietlyOnEpipe, isAiRequested, reportError } from './report-error.js';

/**
 * Runs one `velos` command line and resolves with the exit code; errors are printed as one line
 * `velos: <message>` on stderr (exit 1, or 2 for usage errors).
 */
async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    return reportError(error, isAiRequested(argv));
  }
}

async function dispatch(fullArgv: string[]): Promise<number> {
  // what the completion scripts run at each Tab (velos completion): the words are the user's, not options
  if (fullArgv[0] === '__complete') {
    await (await import('./commands/completion.js')).runComplete(fullArgv.slice(1));
    return 0;
  }
  // PM2's global flags (-s/--silent, --no-color) are accepted anywhere before `--`
  const flags = takeGlobalFlags(fullArgv);
  const [first, ...rest] = flags.argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && isVersionWord(rest[0])) return printVersion(['--help']);
    const width = terminalWidth();
    const topic = first === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
    if (first === 'help' && rest[0] && !topic) throw usageError(unknownCommand(rest[0]));
    const help = topic ? renderCommandHelp(topic, rest[0], width) : renderGlobalHelp(VELOS_VERSION, width);
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (isVersionWord(first)) {
    return printVersion(rest);
  }
  const spec = findCommand(first);
  if (!spec) {
    throw usageError(first.startsWith('-') ? unknownOption(first) : unknownCommand(first));
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    const dashDash = rest.indexOf('--');
    const helpAt = Math.max(rest.indexOf('-h'), rest.indexOf('--help'));
    if (dashDash === -1 || helpAt < dashDash) {
      process.stdout.write(`${renderCommandHelp(spec, first, terminalWidth())}\n`);
      return 0;
    }
  }
  const input = parseCommandArgs(spec, rest, first);
  if (input.options.json && input.options.ai)
    throw usageError('--json and --ai cannot be used together', first);
  const mode: OutputMode = input.options.json ? 'json' : input.options.ai ? 'ai' : 'text';
  const ctx = createContext(mode, fileURLToPath(new URL('./daemon.cjs', import.meta.url)), {
    isSilent: isSilenced(spec.name, flags),
    isColorOff: flags.isColorOff,
  });
  try {
    await spec.run(ctx, input);
  } finally {
    await ctx.dispose();
  }
  return 0;
}

exitQuietlyOnEpipe();
// no top-level await: the build is CommonJS (daemon-cjs.ts)
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

/** `unknown command "stpo"; did you mean "stop"?` (`import-pm2`: `velos import pm2`), or what to use instead of a PM2 command Velos has not. */
function unknownCommand(word: string): string {
  const pm2Hint = pm2OnlyCommandHint(word);
  if (pm2Hint !== null) return `unknown command "${word}"${pm2Hint}`;
  const joined = joinedSubcommand(word, findCommand);
  if (joined !== null) return `unknown command "${word}"; did you mean "${joined}"?`;
  const meant = suggestCommand(word);
  return `unknown command "${word}"${meant === null ? '' : `; did you mean "${meant}"?`}`;
}

/** `unknown option --frob`; PM2's global `--no-daemon` (`pm2 --no-daemon start app.js`) says where it goes here. */
function unknownOption(word: string): string {
  if (word !== '--no-daemon') return `unknown option ${word}`;
  return 'unknown option --no-daemon before the command; it goes after it: velos start <file> --no-daemon';
}

/** The terminal's columns when stdout is one (help is fitted to them), else undefined. */
function terminalWidth(): number | undefined {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}

function isVersionWord(word: string | undefined): boolean {
  return word === '-v' || word === '-V' || word === '--version' || word === 'version';
}

/** `velos version` (`-v`, PM2's `-V`): the CLI's version, as JSON with `--json` or `--ai`. */
function printVersion(args: string[]): number {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(`${renderVersionHelp(terminalWidth())}\n`);
    return 0;
  }
  const unknown = args.find((arg) => arg !== '--json' && arg !== '--ai');
  if (unknown !== undefined) throw usageError(`version: unexpected argument ${unknown}`);
  const isJson = args.length > 0;
  process.stdout.write(isJson ? `${JSON.stringify({ version: VELOS_VERSION })}\n` : `${VELOS_VERSION}\n`);
  return 0;
}
