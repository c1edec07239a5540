import { basename } from 'node:path';
import type { ResolvedCommand } from './resolve-command.js';

const PYTHON = /^python[\d.]*$/;
const PYTHON_COMMAND_LINE = /^\s*(\S*\/)?python[\d.]*\s/;

/**
 * Python block-buffers its stdout when it is not a terminal (8 KiB into the app's log pipe): a worker
 * that prints a line now and then showed nothing in `velos logs` for minutes, and lost the tail of its
 * output when killed. An app that runs Python gets `PYTHONUNBUFFERED=1` (as `python -u`), unless its
 * environment sets the variable itself (even empty, which Python reads as off).
 */
export function withUnbufferedPython(command: ResolvedCommand, env: Record<string, string>): void {
  if (env.PYTHONUNBUFFERED === undefined && runsPython(command)) env.PYTHONUNBUFFERED = '1';
}

/** True when the command runs Python: `python3 app.py`, a venv's `bin/python`, `/usr/bin/env python3 worker`, `sh -c "python3 …"`. */
export function runsPython(command: ResolvedCommand): boolean {
  if (command.shell) return PYTHON_COMMAND_LINE.test(command.args[1] ?? '');
  const program = basename(command.file);
  if (program === 'env') return PYTHON.test(command.args.find((arg) => !arg.startsWith('-')) ?? '');
  return PYTHON.test(program);
}
