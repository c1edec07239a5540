/**
 * The `@velos/supervisor/app-command` subpath: how the daemon resolves an app's command, for a
 * host that only reads configs (`velos export`). A subpath of its own, not the main entry: the main
 * entry is the whole daemon (~0.3 MB of bundle), which `velos export` loaded and compiled for these
 * two functions on every run (~0.1 s of CPU).
 */
export { runsPython } from './python-output.js';
export {
  type CommandSpec,
  type ResolveCommandOptions,
  type ResolvedCommand,
  resolveCommand,
} from './resolve-command.js';
