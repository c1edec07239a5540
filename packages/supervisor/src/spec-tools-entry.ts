/**
 * The `@velos/supervisor/spec-tools` subpath: what the daemon makes of app specs (the command an app is
 * spawned with, the start order of `depends_on`), for a host that only reads configs (`velos export`,
 * `velos config validate`). A subpath of its own, not the main entry: the main entry is the whole
 * daemon (~0.3 MB of bundle), which those commands loaded and compiled on every run for these functions.
 */

export {
  type CommandCheckOptions,
  checkCommands,
  commandProblem,
  type NamedCommandSpec,
  nearbyFile,
} from './command-check.js';
export { checkStartProblems, type StartProblem, startProblem } from './config/start-problems.js';
export { dependencySuggester, orderByDependencies } from './dependencies/dependency-order.js';
export { runsPython } from './python-output.js';
export {
  type CommandSpec,
  type ResolveCommandOptions,
  type ResolvedCommand,
  resolveCommand,
} from './resolve-command.js';
