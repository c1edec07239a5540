import { ALLOCATOR_TUNED_MARK, DAEMON_ALLOCATOR_ENV } from '@velos/core';
import { execLine, quoteValue } from './systemd-escape.js';

/** What a systemd unit of the Velos daemon is made of. */
export interface SystemdUnitOptions {
  /** Absolute path of the node binary. */
  nodePath: string;
  /** Node flags of the daemon, before the script (e.g. `--max-semi-space-size=1`). */
  nodeFlags?: readonly string[];
  /** Absolute path of the `velos` CLI script. */
  cliEntry: string;
  /** The Velos home the daemon serves (`VELOS_HOME`). */
  home: string;
  /** `PATH` of the daemon and of the apps it starts. */
  path: string;
  /** `User=` of a system unit; omit it for a user unit (`systemctl --user`). */
  user?: string;
  /** A user unit (`WantedBy=default.target`, no `User=`). */
  isUserUnit?: boolean;
  /** The unit's name without `.service`, for the removal command of the header (default `velos`). */
  serviceName?: string;
  /** The Velos version written in the header comment. */
  version: string;
  /** Seconds systemd gives `velos kill` and the daemon to stop every app (default 60). */
  stopTimeoutSec?: number;
  /** PM2's `--wait-ip`: start after `network-online.target` (an address is configured), not `network.target`. */
  isWaitingForNetwork?: boolean;
}

/**
 * Default `TimeoutStopSec=`, a floor: apps stop in parallel but in `depends_on` waves, each up to its
 * slowest app's kill_timeout, so the daemon asks systemd for more (`EXTEND_TIMEOUT_USEC`, systemd ≥ 236)
 * as it begins to stop them when the waves may take longer.
 */
export const DEFAULT_STOP_TIMEOUT_SEC = 60;

/** `WatchdogSec=`: the daemon sends `WATCHDOG=1` every half of it, so a hung event loop is restarted after this. */
export const WATCHDOG_SEC = 30;

/** Open files allowed to the daemon: two pipes and up to two log files per app, plus its clients. */
const OPEN_FILES_LIMIT = 65_536;

/**
 * Renders the systemd unit of the Velos daemon (SUP-14): `Type=notify` (the daemon runs
 * `systemd-notify`, hence `NotifyAccess=all`), the daemon in the foreground, `velos kill` to stop, `WatchdogSec=` so that its `WATCHDOG=1` pings are checked.
 * @example renderSystemdUnit({ nodePath, cliEntry, home, path: process.env.PATH ?? '', user: 'me', version });
 */
export function renderSystemdUnit(options: SystemdUnitOptions): string {
  const node = [options.nodePath, ...(options.nodeFlags ?? [])];
  const cli = options.cliEntry;
  const service = [
    'Type=notify',
    'NotifyAccess=all',
    ...(options.isUserUnit || !options.user ? [] : [`User=${options.user}`]),
    `Environment=${quoteValue(`VELOS_HOME=${options.home}`)}`,
    `Environment=${quoteValue(`PATH=${options.path}`)}`,
    ...Object.entries({ ...DAEMON_ALLOCATOR_ENV, [ALLOCATOR_TUNED_MARK]: '1' }).map(
      ([name, value]) => `Environment=${quoteValue(`${name}=${value}`)}`,
    ),
    `ExecStart=${execLine([...node, cli, 'daemon', '--foreground'])}`,
    `ExecStop=${execLine([...node, cli, 'kill'])}`,
    'Restart=on-failure',
    '# The daemon stops its apps itself (on `velos kill` or SIGTERM): a restart of the daemon alone',
    '# must not take the apps down with it.',
    'KillMode=process',
    `LimitNOFILE=${OPEN_FILES_LIMIT}`,
    '# At least this; as it stops the apps the daemon sends EXTEND_TIMEOUT_USEC (systemd >= 236) with the',
    "# sum of its depends_on stop waves' longest kill_timeout, plus a margin, when that is longer.",
    `TimeoutStopSec=${options.stopTimeoutSec ?? DEFAULT_STOP_TIMEOUT_SEC}`,
    '# The daemon pings WATCHDOG=1 every half of this once ready; a hung daemon is killed and restarted.',
    `WatchdogSec=${WATCHDOG_SEC}s`,
  ];
  return [
    `# The Velos daemon, written by \`velos startup systemd\` (velos ${options.version}).`,
    `# Remove it with \`${removeCommand(options)}\`.`,
    '# The daemon restores the processes of its saved state ($VELOS_HOME/state.json, written by',
    '# `velos save` and on `velos kill`) when it starts, so this unit only has to run it.',
    '[Unit]',
    'Description=Velos process manager',
    ...(options.isWaitingForNetwork
      ? ['Wants=network-online.target', 'After=network-online.target']
      : ['After=network.target']),
    '',
    '[Service]',
    ...service,
    '',
    '[Install]',
    `WantedBy=${options.isUserUnit ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}

/** True for a name systemd accepts as a service name (without the `.service` suffix). */
export function isValidServiceName(name: string): boolean {
  return /^[A-Za-z0-9:_.-]+(@[A-Za-z0-9:_.-]+)?$/.test(name) && name.length <= 200;
}

/** True for a user name that can go into `User=` as it is. */
export function isValidUserName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name) && name.length <= 256;
}

/** The `velos unstartup` line that removes this very unit (its name and user manager included). */
function removeCommand(options: SystemdUnitOptions): string {
  const name = options.serviceName ?? 'velos';
  return [
    'velos unstartup systemd',
    ...(options.isUserUnit ? ['--user'] : []),
    ...(name === 'velos' ? [] : [`--service-name ${name}`]),
  ].join(' ');
}
