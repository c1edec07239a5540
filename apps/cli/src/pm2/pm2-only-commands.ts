/** What Velos has instead of PM2's modules. */
export const NO_MODULES =
  'Velos has no modules: log rotation (--log-max-size), metrics (velos metrics), alerts (velos alerts) and OpenTelemetry are built in';
const PM2_IO =
  'PM2.io is a hosted service: Velos has velos metrics (Prometheus), OpenTelemetry, velos alerts and velos mcp instead';
const ECOSYSTEM =
  "Velos reads PM2's ecosystem files as they are (velos start ecosystem.config.js); its own format is velos.toml (docs/configuration.md)";
const SETTINGS =
  "PM2's set, get, unset and multiset configure its modules (pm2-logrotate:max_size …): Velos rotates each app's logs itself, --log-max-size 10M (max_size), --log-retain 30 (retain), --no-log-compress (compress), --log-rotate-cron '0 0 * * *' (rotateInterval), per app or in [defaults] of config.toml; velos config set <app> key=value changes an app, velos config unset <app> key removes an option of it";
const INSPECT = 'start the app with --interpreter-args=--inspect instead';
const VIZION = 'Velos has no git integration: update the checkout, then velos reload <app>';
const STDIN = "a process's stdin is not connected in Velos; follow its output with velos logs <app> -f";

/**
 * PM2 commands Velos has no counterpart of, each with what to use instead (docs/migrating-from-pm2.md):
 * the hint after `velos: unknown command "deepUpdate"`, where a suggestion of a Velos command would mislead.
 */
const PM2_ONLY_COMMANDS: Readonly<Record<string, string>> = {
  deepUpdate:
    "PM2's deepUpdate installs the latest PM2, then updates the daemon: install the new velos (npm i -g velos), then run velos update",
  cleardump:
    "PM2's cleardump: remove $VELOS_HOME/state.json and state.json.bak (velos save writes them again)",
  ecosystem: ECOSYSTEM,
  init: ECOSYSTEM,
  install: NO_MODULES,
  'module:install': NO_MODULES,
  uninstall: NO_MODULES,
  'module:uninstall': NO_MODULES,
  'module:update': NO_MODULES,
  set: SETTINGS,
  get: SETTINGS,
  unset: SETTINGS,
  multiset: SETTINGS,
  logrotate:
    'log rotation is built in: velos start <app> --log-max-size 10M --log-retain 10, or [defaults] in config.toml',
  report: "velos health, velos ping --json and $VELOS_HOME/daemon.log tell the daemon's state",
  link: PM2_IO,
  unlink: PM2_IO,
  plus: PM2_IO,
  register: PM2_IO,
  login: PM2_IO,
  logout: PM2_IO,
  open: PM2_IO,
  deploy: 'Velos does not deploy: run velos startOrReload <config file> at the end of your deploy tool',
  send: STDIN,
  attach: STDIN,
  inspect: INSPECT,
  'profile:cpu': INSPECT,
  'profile:mem': INSPECT,
  pull: VIZION,
  forward: VIZION,
  backward: VIZION,
};

/** What to use instead of the PM2 command `word` Velos does not have (`; PM2's deepUpdate …`), null for any other word. */
export function pm2OnlyCommandHint(word: string): string | null {
  const hint = Object.hasOwn(PM2_ONLY_COMMANDS, word) ? PM2_ONLY_COMMANDS[word] : undefined;
  return hint === undefined ? null : `; ${hint}`;
}
