import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';
import { isFile } from '../safe-stat.js';
import { findOnPath } from './path-lookup.js';

/**
 * Shell words `/bin/sh -c` runs without a PATH lookup (POSIX reserved words and builtins, and bash's
 * that users bring along): a command line that starts with one is not checked.
 */
const SHELL_WORDS = new Set(
  (
    '! { } [ [[ . : alias bg break case cd command continue coproc declare do done echo elif else esac ' +
    'eval exec exit export false fg fi for function getopts hash if in jobs kill let local printf pwd ' +
    'read readonly return select set shift source test then time times trap true type typeset ulimit ' +
    'umask unalias unset until wait while'
  ).split(' '),
);

// bash's `source` as a command: first, or after ; & | ( (`cd api && source .venv/bin/activate && …`)
const SOURCE_COMMAND = /(^|[;&|(])\s*source\s/;

// a plain first word followed by a blank: not `FOO=1 cmd`, `$RUNNER x`, `(cd a && b)` or a path
const FIRST_WORD = /^([A-Za-z0-9_][\w.+-]*)\s/;

/**
 * The program a `/bin/sh -c` command line starts with when the shell would look it up on PATH (`bun`
 * of `bun run start`); null for a path, a shell word, an assignment or any other shell syntax.
 * @example commandLineProgram('bun run start') // 'bun'; commandLineProgram('cd api && npm start') // null
 */
export function commandLineProgram(commandLine: string): string | null {
  const word = FIRST_WORD.exec(`${commandLine.trim()} `)?.[1];
  return word === undefined || SHELL_WORDS.has(word) ? null : word;
}

/**
 * Refuses a command line whose program is on no directory of the app's PATH: the shell would exit 127
 * (`sh: 1: bun: not found`) at each start until the restarts give up, where a missing bare program
 * (`velos start deno`) is refused at once.
 */
export function checkCommandLine(
  commandLine: string,
  env: Readonly<Record<string, string | undefined>>,
  shell = systemShell(),
): void {
  const problem = commandLineProblem(commandLine, env, shell);
  if (problem !== null) throw new VelosError(ErrorCodes.INVALID_ARGUMENT, problem);
}

/**
 * `checkCommandLine` for the apps of a config file, all of them in one error naming each (as a missing
 * script file is refused): nothing of the file starts.
 */
export function checkCommandLines(specs: readonly AppSpec[], label: string, shell = systemShell()): void {
  const problems = specs.flatMap((spec, i) => {
    if (!/\s/.test(spec.script.trim()) || isFile(resolve(spec.cwd, spec.script))) return [];
    const problem = commandLineProblem(spec.script, spec.env, shell);
    return problem === null ? [] : [`apps[${i}] (${spec.name}).script: ${problem}`];
  });
  if (problems.length > 0)
    throw new VelosError(ErrorCodes.INVALID_CONFIG, `${label}: ${problems.join('; ')}`);
}

function commandLineProblem(
  commandLine: string,
  env: Readonly<Record<string, string | undefined>>,
  shell: string,
): string | null {
  // bash's `source venv/bin/activate && …`: Debian's and Ubuntu's /bin/sh is dash, which has only `.`
  if (SOURCE_COMMAND.test(commandLine) && shell === 'dash')
    return `source: /bin/sh is dash here, which has no source command (sh: source: not found at each start); use . instead (". venv/bin/activate && …")`;
  const program = commandLineProgram(commandLine);
  // without a PATH of its own the shell searches its built-in default: not guessed here
  if (program === null || env.PATH === undefined || findOnPath(program, env) !== null) return null;
  return `program not found: ${program} (the first word of "${commandLine.trim()}" is not a file, a shell builtin or a program on PATH)`;
}

/** The program /bin/sh is (`dash`, `bash`, `busybox`), which runs command lines; '' when unknown. */
function systemShell(): string {
  try {
    return basename(realpathSync('/bin/sh'));
  } catch {
    return '';
  }
}
